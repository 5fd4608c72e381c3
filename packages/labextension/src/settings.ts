/**
 * The extension's settings, read and checked.
 */
import type { ISettingRegistry } from '@jupyterlab/settingregistry';

/** The settings the extension uses. */
export interface IShareLinkSettings {
  /** The preferred link lifetime in seconds, or null for the service's. */
  defaultExpiry: number | null;
  /** The name of the share-link service on the Hub. */
  serviceName: string;
}

/** The settings' defaults, also those of schema/plugin.json. */
export const DEFAULT_SETTINGS: IShareLinkSettings = {
  defaultExpiry: null,
  serviceName: 'share-link'
};

/** The current settings, with defaults for missing or invalid values. */
export function readShareLinkSettings(
  settings: ISettingRegistry.ISettings | null
): IShareLinkSettings {
  if (!settings) {
    return DEFAULT_SETTINGS;
  }
  const expiry = settings.get('defaultExpiry').composite;
  const name = settings.get('serviceName').composite;
  return {
    defaultExpiry:
      typeof expiry === 'number' && Number.isFinite(expiry) && expiry > 0
        ? expiry
        : DEFAULT_SETTINGS.defaultExpiry,
    serviceName:
      typeof name === 'string' && name.trim() !== ''
        ? name.trim()
        : DEFAULT_SETTINGS.serviceName
  };
}
