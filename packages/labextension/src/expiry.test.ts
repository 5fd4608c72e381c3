import {
  checkCustomExpiry,
  expiryRequestFields,
  fromDateTimeLocal,
  initialExpiryChoice,
  presetsWithin,
  toDateTimeLocal
} from './expiry';

const NOW = new Date(2026, 0, 31, 23, 5);
const DAY = 86400;

describe('expiry', () => {
  describe('#presetsWithin()', () => {
    it('should keep only presets up to the maximum', () => {
      expect(presetsWithin(DAY).map(p => p.id)).toEqual(['1h', '1d']);
      expect(presetsWithin(60)).toEqual([]);
    });
  });

  describe('#initialExpiryChoice()', () => {
    it('should pick the preset equal to the wanted lifetime', () => {
      expect(initialExpiryChoice(DAY, 30 * DAY, NOW)).toEqual({
        kind: 'preset',
        seconds: DAY
      });
    });

    it('should cap the wanted lifetime at the maximum', () => {
      expect(initialExpiryChoice(30 * DAY, 7 * DAY, NOW)).toEqual({
        kind: 'preset',
        seconds: 7 * DAY
      });
      expect(initialExpiryChoice(DAY, 1800, NOW)).toEqual({
        kind: 'custom',
        at: new Date(NOW.getTime() + 1800 * 1000)
      });
    });
  });

  describe('#checkCustomExpiry()', () => {
    it('should accept a time within the maximum', () => {
      const at = new Date(NOW.getTime() + 3600 * 1000);
      expect(checkCustomExpiry(at, DAY, NOW)).toBe('ok');
    });

    it('should refuse past, too late and missing times', () => {
      expect(checkCustomExpiry(new Date(2020, 0, 1), DAY, NOW)).toBe('past');
      const late = new Date(NOW.getTime() + 2 * DAY * 1000);
      expect(checkCustomExpiry(late, DAY, NOW)).toBe('beyond-max');
      expect(checkCustomExpiry(null, DAY, NOW)).toBe('invalid');
    });
  });

  describe('#toDateTimeLocal()', () => {
    it('should round-trip through a datetime-local value', () => {
      expect(toDateTimeLocal(NOW)).toBe('2026-01-31T23:05');
      expect(fromDateTimeLocal('2026-01-31T23:05')).toEqual(NOW);
    });

    it('should refuse values that are not dates', () => {
      expect(fromDateTimeLocal('')).toBeNull();
      expect(fromDateTimeLocal('tomorrow')).toBeNull();
    });
  });

  describe('#expiryRequestFields()', () => {
    it('should send presets as expires_in, custom times in UTC', () => {
      expect(expiryRequestFields({ kind: 'preset', seconds: 60 })).toEqual({
        expires_in: 60
      });
      expect(expiryRequestFields({ kind: 'custom', at: NOW })).toEqual({
        expires_at: NOW.toISOString()
      });
    });
  });
});
