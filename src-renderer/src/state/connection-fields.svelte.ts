import type { ChecksumMode, EndpointPreset } from '../../../src-main/ipc/contract';
import { describeReading, presetById, readEndpoint, recognisePreset } from '../../../src-main/ipc/shared';
import { noun } from '../lib/form-problems.svelte';

const REGION = /^[a-z0-9-]+$/i;

export type ConnectionField = 'endpoint' | 'region' | 'account';

/**
 * Where a key pair is used: a well-known service (endpoint made from its region, and R2's account ID) or
 * an endpoint typed in, read the way main will read it. Shared by "Add credentials" and a credential's Settings.
 */
export class ConnectionFieldsState {
  /** '' = another S3-compatible service, its endpoint typed in. */
  presetId = $state('');
  region = $state('us-east-1');
  account = $state('');
  typedEndpoint = $state('');
  forcePathStyle = $state(true);
  checksums = $state<ChecksumMode>('when-required');

  readonly preset = $derived<EndpointPreset | undefined>(presetById(this.presetId));
  /** The preset makes the endpoint itself; otherwise the user types it. */
  readonly madeByPreset = $derived(!!this.preset?.endpoint);
  readonly endpointText = $derived(this.preset?.endpoint ? this.preset.endpoint({ region: this.region.trim(), account: this.account.trim().toLowerCase() }) : this.typedEndpoint);
  readonly reading = $derived(readEndpoint(this.endpointText));
  /** "Keydesk will connect to http://…" when a scheme was assumed. */
  readonly note = $derived(describeReading(this.reading));
  readonly signingRegion = $derived(this.preset?.signingRegion?.(this.region.trim()) ?? (this.region.trim() || 'us-east-1'));

  readonly problems = $derived.by(() => {
    const problems: Partial<Record<ConnectionField, string>> = {};
    const region = this.region.trim();
    if (this.preset?.account && !this.preset.account.pattern.test(this.account.trim().toLowerCase())) {
      const { label, format } = this.preset.account;
      problems.account = this.account.trim() ? `${label}: ${format}.` : `Enter the ${noun(label)}.`;
    } else if (!this.madeByPreset && this.reading.problem) {
      problems.endpoint = this.reading.problem;
    }
    if (this.preset && !region) problems.region = `Choose the ${noun(this.preset.regions.label)}.`;
    else if (region && !REGION.test(region)) problems.region = `"${region}" is not a region name: letters, digits and dashes, like eu-central-1.`;
    return problems;
  });

  /** Picks a service: its default region and the addressing and checksum headers it takes. */
  choose(presetId: string): void {
    const preset = presetById(presetId);
    this.presetId = preset ? preset.id : '';
    if (!preset) return;
    this.region = preset.regions.default;
    this.forcePathStyle = preset.forcePathStyle;
    this.checksums = preset.checksums;
  }

  /** Starts from a saved credential's settings, shown as the service they were made for where one matches. */
  loadSaved(saved: { endpoint: string; region: string; forcePathStyle: boolean; checksums: ChecksumMode }): void {
    const known = recognisePreset(saved.endpoint, saved.region);
    this.presetId = known?.preset.id ?? '';
    this.region = known?.region ?? saved.region;
    this.account = known?.account ?? '';
    this.typedEndpoint = saved.endpoint;
    this.forcePathStyle = saved.forcePathStyle;
    this.checksums = saved.checksums;
  }

  /** What main gets: the endpoint as read, the region requests are signed for. */
  values(): { endpoint: string; region: string; forcePathStyle: boolean; checksums: ChecksumMode } {
    return { endpoint: this.reading.endpoint ?? this.endpointText, region: this.signingRegion, forcePathStyle: this.forcePathStyle, checksums: this.checksums };
  }
}
