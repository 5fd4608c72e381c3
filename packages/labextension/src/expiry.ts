/**
 * Expiry choices for a link: presets, a custom time, and their bounds.
 */

/** A ready-made lifetime offered in the dialog. */
export interface IExpiryPreset {
  /** A stable id, used as the option's value. */
  id: string;
  /** The lifetime in seconds. */
  seconds: number;
}

/** The presets the dialog offers, shortest first. */
export const EXPIRY_PRESETS: readonly IExpiryPreset[] = [
  { id: '1h', seconds: 60 * 60 },
  { id: '1d', seconds: 24 * 60 * 60 },
  { id: '1w', seconds: 7 * 24 * 60 * 60 }
];

/** What the user picked: a preset lifetime, or a date and time. */
export type ExpiryChoice =
  { kind: 'preset'; seconds: number } | { kind: 'custom'; at: Date };

/** Why a custom expiry can't be used, or 'ok'. */
export type CustomExpiryCheck = 'ok' | 'invalid' | 'past' | 'beyond-max';

/** The presets no longer than the service's maximum. */
export function presetsWithin(maxSeconds: number): IExpiryPreset[] {
  return EXPIRY_PRESETS.filter(preset => preset.seconds <= maxSeconds);
}

/**
 * The choice the dialog starts with: the preset equal to the wanted
 * lifetime if there is one, else a custom time; never beyond the maximum.
 */
export function initialExpiryChoice(
  wantedSeconds: number,
  maxSeconds: number,
  now: Date
): ExpiryChoice {
  const seconds = Math.min(wantedSeconds, maxSeconds);
  if (presetsWithin(maxSeconds).some(preset => preset.seconds === seconds)) {
    return { kind: 'preset', seconds };
  }
  return { kind: 'custom', at: new Date(now.getTime() + seconds * 1000) };
}

/**
 * Checks a custom expiry against now and the service's maximum. A minute
 * of slack at the top keeps "exactly the maximum" usable while typing.
 */
export function checkCustomExpiry(
  at: Date | null,
  maxSeconds: number,
  now: Date
): CustomExpiryCheck {
  if (at === null || Number.isNaN(at.getTime())) {
    return 'invalid';
  }
  const seconds = (at.getTime() - now.getTime()) / 1000;
  if (seconds < 60) {
    return 'past';
  }
  if (seconds > maxSeconds + 60) {
    return 'beyond-max';
  }
  return 'ok';
}

/** The request fields for a choice: `expires_in` or `expires_at`. */
export function expiryRequestFields(
  choice: ExpiryChoice
): { expires_in: number } | { expires_at: string } {
  if (choice.kind === 'preset') {
    return { expires_in: choice.seconds };
  }
  return { expires_at: choice.at.toISOString() };
}

/** A date as the local `YYYY-MM-DDTHH:MM` of a datetime-local input. */
export function toDateTimeLocal(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-` +
    `${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

/** The date of a datetime-local input's value (local time), or null. */
export function fromDateTimeLocal(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(
    value
  );
  if (!match) {
    return null;
  }
  const [year, month, day, hours, minutes, seconds] = match
    .slice(1)
    .map(part => Number(part ?? 0));
  const date = new Date(year, month - 1, day, hours, minutes, seconds);
  return Number.isNaN(date.getTime()) ? null : date;
}
