import { describe, expect, it } from 'vitest';
import { readEndpoint } from '../../../src-main/core/s3/endpoint-input';
import { ENDPOINT_PRESETS, presetById, recognisePreset } from '../../../src-main/core/s3/endpoint-presets';

const R2_ACCOUNT = '0123456789abcdef0123456789abcdef';

describe('endpoint presets', () => {
  it.each([
    ['aws', 'eu-central-1', '', 'https://s3.eu-central-1.amazonaws.com', 'eu-central-1', false, 'when-supported'],
    ['b2', 'us-west-004', '', 'https://s3.us-west-004.backblazeb2.com', 'us-west-004', true, 'when-required'],
    ['r2', 'default', R2_ACCOUNT, `https://${R2_ACCOUNT}.r2.cloudflarestorage.com`, 'auto', true, 'when-required'],
    ['r2', 'eu', R2_ACCOUNT, `https://${R2_ACCOUNT}.eu.r2.cloudflarestorage.com`, 'auto', true, 'when-required'],
    ['digitalocean', 'fra1', '', 'https://fra1.digitaloceanspaces.com', 'fra1', false, 'when-required'],
    ['ionos', 'eu-central-2', '', 'https://s3.eu-central-2.ionoscloud.com', 'eu-central-2', false, 'when-required'],
    ['wasabi', 'eu-west-1', '', 'https://s3.eu-west-1.wasabisys.com', 'eu-west-1', true, 'when-required'],
  ])('%s in %s makes %s, signed for the right region', (id, region, account, endpoint, signing, pathStyle, checksums) => {
    const preset = presetById(id)!;
    const made = preset.endpoint!({ region, account });
    expect(made).toBe(endpoint);
    // What the presets make is an endpoint exactly as main reads it.
    expect(readEndpoint(made).endpoint).toBe(made);
    expect(preset.signingRegion?.(region) ?? region).toBe(signing);
    expect(preset.forcePathStyle).toBe(pathStyle);
    expect(preset.checksums).toBe(checksums);
    expect(recognisePreset(endpoint, signing)).toEqual({ preset, region, account });
  });

  it('has a region list with its default in it, and only MinIO without an endpoint of its own', () => {
    for (const preset of ENDPOINT_PRESETS) {
      expect(preset.regions.options.map((o) => o.value), preset.id).toContain(preset.regions.default);
      expect(!!preset.endpoint, preset.id).toBe(preset.id !== 'minio');
    }
    expect(new Set(ENDPOINT_PRESETS.map((p) => p.id)).size).toBe(ENDPOINT_PRESETS.length);
  });

  it('recognises regions an open list does not know yet, and nothing else', () => {
    expect(recognisePreset('https://s3.ap-east-2.amazonaws.com', 'ap-east-2')).toMatchObject({ preset: { id: 'aws' }, region: 'ap-east-2' });
    // The region signed for must match the host's.
    expect(recognisePreset('https://s3.eu-central-1.amazonaws.com', 'us-east-1')).toBeUndefined();
    expect(recognisePreset('http://127.0.0.1:7480', 'us-east-1')).toBeUndefined();
    expect(recognisePreset('https://not-an-account.r2.cloudflarestorage.com', 'auto')).toBeUndefined();
  });

  it('checks an R2 account ID by its form', () => {
    const { pattern } = presetById('r2')!.account!;
    expect(pattern.test(R2_ACCOUNT)).toBe(true);
    for (const bad of ['', 'abc', `${R2_ACCOUNT}0`, R2_ACCOUNT.toUpperCase().replace(/[0-9]/g, 'G'), 'evil.example.com/0123456789abcdef0123456']) expect(pattern.test(bad), bad).toBe(false);
  });
});
