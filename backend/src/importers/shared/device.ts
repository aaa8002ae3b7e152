// The seized device and its owner line, made the same way by every device importer.
import type { BatchBuilder, Props } from '../../model/index.ts';
import { normalisePhone } from '../../model/index.ts';

export interface DeviceInfo {
  imei?: string;
  msisdn?: string;
  model?: string;
  name?: string;
  serial?: string;
  props?: Props;
  locator: string;
}

export interface DeviceRefs {
  deviceId: string;
  /** the Phone at the device's end of every call and message */
  ownerPhoneId: string;
  /** best region for national-format numbers on this device (from the MSISDN, else the context default) */
  region: string;
  label: string;
}

/**
 * Adds the Device (identified by IMEI, else by the source file) and its owner line. When the MSISDN is
 * unknown the owner line is a placeholder Phone unique to this device, so calls still have two ends and
 * nothing merges by accident.
 */
export function addDevice(b: BatchBuilder, info: DeviceInfo, defaultRegion: string): DeviceRefs {
  const imei = info.imei?.replace(/\D/g, '') || undefined;
  const what = info.model || info.name || 'handset';
  const label = `Device ${what}${imei ? ` (IMEI ${imei})` : ''}`;
  const props: Props = { ...(info.props ?? {}), sourceFile: b.source.name };
  if (imei) props.imei = imei;
  if (info.model) props.model = info.model;
  if (info.name) props.name = info.name;
  if (info.serial) props.serial = info.serial;
  const deviceId = b.entity('Device', { key: imei ? undefined : `source:${b.source.sha256}`, label, props, locator: info.locator });
  let region = defaultRegion;
  let ownerPhoneId: string;
  if (info.msisdn && normalisePhone(info.msisdn, defaultRegion).kind === 'e164') {
    const { id, phone } = b.phone(info.msisdn, { region: defaultRegion, locator: info.locator, props: { role: 'device owner line' } });
    ownerPhoneId = id;
    region = phone.country ?? defaultRegion;
  } else {
    ownerPhoneId = b.entity('Phone', {
      label: `Owner line of ${label}`,
      props: { number: `device-owner:${deviceId}`, numberKind: 'owner-unknown' },
      locator: info.locator,
    });
  }
  b.link('USES_PHONE', deviceId, ownerPhoneId, info.locator);
  return { deviceId, ownerPhoneId, region, label };
}
