import { createHash } from 'node:crypto';

import { ContentsClient, IFileInfo, IServerRef } from './contents';
import { copyFileBetweenServers, copyName } from './copy';
import { HttpError } from './errors';
import { createLogger } from './log';

/** A stub of the recipient's and sender's servers. */
class FakeServers {
  constructor(
    readonly source: Buffer,
    readonly options: {
      cutAfter?: number;
      allowHidden?: boolean;
      existing?: string[];
      pieces?: number;
      /** Check, then move later, as jupyter-server's async rename does. */
      racyRename?: boolean;
    } = {}
  ) {
    for (const name of options.existing ?? []) {
      this.files.set(name, Buffer.from('theirs'));
    }
  }

  files = new Map<string, Buffer>();
  chunks: Array<{ path: string; chunk: number; length: number }> = [];

  async stat(_ref: IServerRef, path: string): Promise<IFileInfo | undefined> {
    return { path, name: path, type: 'file', size: this.source.length };
  }

  async readFile(
    _ref: IServerRef,
    _path: string
  ): Promise<{ length?: number; body: ReadableStream<Uint8Array> }> {
    const { source } = this;
    const cutAfter = this.options.cutAfter;
    const piece = this.options.pieces ?? 1000;
    let offset = 0;
    return {
      length: source.length,
      body: new ReadableStream<Uint8Array>({
        pull(controller) {
          if (cutAfter !== undefined && offset >= cutAfter) {
            controller.error(new Error('terminated'));
            return;
          }
          if (offset >= source.length) {
            controller.close();
            return;
          }
          controller.enqueue(
            new Uint8Array(source.subarray(offset, offset + piece))
          );
          offset += piece;
        }
      })
    };
  }

  async writeChunk(
    _ref: IServerRef,
    path: string,
    chunk: number,
    content: Buffer
  ) {
    if (path.startsWith('.') && !this.options.allowHidden) {
      throw new HttpError(400, 'contents_refused', 'hidden');
    }
    this.chunks.push({ path, chunk, length: content.length });
    const before =
      chunk === 1 ? Buffer.alloc(0) : (this.files.get(path) ?? Buffer.alloc(0));
    this.files.set(path, Buffer.concat([before, content]));
  }

  async rename(_ref: IServerRef, from: string, to: string) {
    if (this.files.has(to)) {
      return 'exists' as const;
    }
    if (this.options.racyRename) {
      await new Promise(resolve => setTimeout(resolve, 5));
    }
    this.files.set(to, this.files.get(from) as Buffer);
    this.files.delete(from);
    return 'renamed' as const;
  }

  async remove(_ref: IServerRef, path: string) {
    this.files.delete(path);
  }
}

const logger = createLogger('silent');
const request = {
  source: { user: 'alice', server: 'b' },
  path: 'data/report.ipynb',
  target: { user: 'bob', server: '' },
  maxBytes: 1 << 20
};
const sha = (b: Buffer | undefined) =>
  createHash('sha256')
    .update(b ?? '')
    .digest('hex');
const bytes = (n: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * 7) % 256));

describe('#copyName()', () => {
  it.each([
    ['report.ipynb', 0, 'report.ipynb'],
    ['report.ipynb', 1, 'report-1.ipynb'],
    ['report.ipynb', 12, 'report-12.ipynb'],
    ['README', 2, 'README-2'],
    ['a #1 ?x&y+z 50% ü.ipynb', 1, 'a #1 ?x&y+z 50% ü-1.ipynb'],
    ['data.tar.gz', 1, 'data.tar-1.gz']
  ])('%s, attempt %d, should be %s', (name, attempt, expected) => {
    expect(copyName(name, attempt)).toBe(expected);
  });
});

describe('#copyFileBetweenServers()', () => {
  it.each([0, 1, 5, 6, 7, 3000])(
    'should copy %d bytes exactly in chunks of 6',
    async size => {
      const source = bytes(size);
      const servers = new FakeServers(source, { pieces: 4 });
      const result = await copyFileBetweenServers(request, {
        contents: servers as unknown as ContentsClient,
        logger,
        chunkBytes: 6
      });
      expect(result).toEqual({ path: 'report.ipynb', bytes: size });
      expect(sha(servers.files.get('report.ipynb'))).toBe(sha(source));
      const numbers = servers.chunks.map(c => c.chunk);
      expect(numbers[0]).toBe(1);
      expect(numbers[numbers.length - 1]).toBe(-1);
      expect(servers.chunks.every(c => c.length <= 6)).toBe(true);
      expect(servers.files.size).toBe(1);
    }
  );

  it('should use a visible temporary name when hidden names are refused', async () => {
    const servers = new FakeServers(bytes(10));
    await copyFileBetweenServers(request, {
      contents: servers as unknown as ContentsClient,
      logger,
      chunkBytes: 6
    });
    expect(servers.chunks[0].path).toMatch(
      /^report\.ipynb\.share-link-[0-9a-f]+\.part$/
    );
  });

  it('should use a hidden temporary name when allowed', async () => {
    const servers = new FakeServers(bytes(10), { allowHidden: true });
    await copyFileBetweenServers(request, {
      contents: servers as unknown as ContentsClient,
      logger,
      chunkBytes: 6
    });
    expect(servers.chunks[0].path).toMatch(/^\.~share-link-[0-9a-f]+\.part$/);
  });

  it('should take the next free name and leave existing files alone', async () => {
    const servers = new FakeServers(bytes(10), {
      existing: ['report.ipynb', 'report-1.ipynb']
    });
    const result = await copyFileBetweenServers(request, {
      contents: servers as unknown as ContentsClient,
      logger,
      chunkBytes: 6
    });
    expect(result.path).toBe('report-2.ipynb');
    expect(servers.files.get('report.ipynb')?.toString()).toBe('theirs');
  });

  it('should give two copies made at once two names, even with a racy rename', async () => {
    const servers = new FakeServers(bytes(10), { racyRename: true });
    const copy = () =>
      copyFileBetweenServers(request, {
        contents: servers as unknown as ContentsClient,
        logger,
        chunkBytes: 6
      });
    const results = await Promise.all([copy(), copy()]);
    expect(results.map(r => r.path).sort()).toEqual([
      'report-1.ipynb',
      'report.ipynb'
    ]);
    expect([...servers.files.keys()].sort()).toEqual([
      'report-1.ipynb',
      'report.ipynb'
    ]);
  });

  it('should delete the temporary file when the stream is cut off', async () => {
    const servers = new FakeServers(bytes(100), { cutAfter: 40, pieces: 10 });
    await expect(
      copyFileBetweenServers(request, {
        contents: servers as unknown as ContentsClient,
        logger,
        chunkBytes: 12
      })
    ).rejects.toMatchObject({ code: 'copy_interrupted' });
    expect(servers.chunks.length).toBeGreaterThan(0);
    expect([...servers.files.keys()]).toEqual([]);
  });

  it('should stop at the size limit while streaming and leave nothing', async () => {
    const servers = new FakeServers(bytes(100));
    // The stat reports a small size: the stream itself is checked too.
    servers.stat = async (_ref, path) => ({
      path,
      name: path,
      type: 'file',
      size: 10
    });
    const pretend = servers.readFile.bind(servers);
    servers.readFile = async (ref, path) => ({
      ...(await pretend(ref, path)),
      length: undefined
    });
    await expect(
      copyFileBetweenServers(
        { ...request, maxBytes: 50 },
        {
          contents: servers as unknown as ContentsClient,
          logger,
          chunkBytes: 12
        }
      )
    ).rejects.toMatchObject({ status: 413 });
    expect([...servers.files.keys()]).toEqual([]);
  });

  it('should refuse a file over the limit before reading it', async () => {
    const servers = new FakeServers(bytes(100));
    await expect(
      copyFileBetweenServers(
        { ...request, maxBytes: 99 },
        {
          contents: servers as unknown as ContentsClient,
          logger,
          chunkBytes: 12
        }
      )
    ).rejects.toMatchObject({ status: 413 });
    expect(servers.chunks).toEqual([]);
  });

  it('should refuse hidden or traversing paths from a link', async () => {
    for (const path of ['../x', '.env', 'a/.ssh/key', '/etc/passwd', 'a//b']) {
      const servers = new FakeServers(bytes(1));
      await expect(
        copyFileBetweenServers(
          { ...request, path },
          {
            contents: servers as unknown as ContentsClient,
            logger,
            chunkBytes: 3
          }
        )
      ).rejects.toBeInstanceOf(HttpError);
      expect(servers.chunks).toEqual([]);
    }
  });
});
