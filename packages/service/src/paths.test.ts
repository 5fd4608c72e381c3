/** Which paths may be shared. */
import { HttpError } from './errors';
import { checkShareablePath, fileNameOf, MAX_PATH_LENGTH } from './paths';

/** The status and message a path is refused with. */
function refusal(path: unknown): [number, string] {
  try {
    checkShareablePath(path);
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    return [(err as HttpError).status, (err as HttpError).message];
  }
  throw new Error(`${String(path)} was accepted`);
}

describe('paths', () => {
  describe('#checkShareablePath()', () => {
    it.each([
      'report.ipynb',
      'project/report.ipynb',
      'my dir/a #1 ?x&y+z 50% ü.ipynb',
      'a..b/c...d.txt',
      'x'.repeat(MAX_PATH_LENGTH)
    ])('should accept %j unchanged', path => {
      expect(checkShareablePath(path)).toBe(path);
    });

    it.each([
      ['.env', 'Hidden files'],
      ['.ssh/id_rsa', 'hidden folders'],
      ['project/.git/config', 'hidden folders'],
      ['project/.ipynb_checkpoints/a-checkpoint.ipynb', 'Hidden'],
      ['../etc/passwd', '".."'],
      ['project/../../x', '".."'],
      ['./report.ipynb', '"."'],
      ['/etc/passwd', 'absolute'],
      ['project//report.ipynb', 'empty part'],
      ['project/', 'Folders'],
      ['a\0b', 'NUL'],
      ['x'.repeat(MAX_PATH_LENGTH + 1), 'longer than 4096']
    ])('should refuse %j as not shareable', (path, why) => {
      const [status, message] = refusal(path);
      expect(status).toBe(422);
      expect(message).toContain(why);
    });

    it.each([[''], [undefined], [42], [['a']], [{ path: 'a' }]])(
      'should refuse %j as an invalid request',
      path => {
        expect(refusal(path)[0]).toBe(400);
      }
    );
  });

  describe('#fileNameOf()', () => {
    it('should give the last segment', () => {
      expect(fileNameOf('a/b/c.ipynb')).toBe('c.ipynb');
      expect(fileNameOf('c.ipynb')).toBe('c.ipynb');
    });
  });
});
