import type { ChecksumMode } from '../vault/metadata-store';

/**
 * Well-known S3 services as "Add credentials" offers them: each fills in the endpoint from a region (and,
 * for Cloudflare R2, the account ID in the host), with the addressing style and checksum headers the
 * service takes. Endpoints as the services document them; the adapters share the region lists.
 * Node-free: the renderer uses it as is.
 */

export interface RegionOption {
  value: string;
  label: string;
}

/** DigitalOcean Spaces datacenters; the endpoint of each is `https://<region>.digitaloceanspaces.com`. */
export const SPACES_REGIONS = ['nyc3', 'sfo2', 'sfo3', 'ams3', 'sgp1', 'fra1', 'syd1', 'blr1', 'lon1', 'tor1', 'atl1'] as const;

/** IONOS Object Storage regions; the S3 endpoint of each is `https://s3.<region>.ionoscloud.com`. */
export const IONOS_S3_REGIONS: RegionOption[] = [
  { value: 'eu-central-1', label: 'Frankfurt (eu-central-1)' },
  { value: 'eu-central-2', label: 'Berlin (eu-central-2)' },
  { value: 'eu-south-2', label: 'Logroño (eu-south-2)' },
  { value: 'eu-central-3', label: 'Berlin, contract-owned buckets (eu-central-3)' },
  { value: 'us-central-1', label: 'Lenexa, contract-owned buckets (us-central-1)' },
];

const AWS_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'ca-west-1', 'mx-central-1', 'sa-east-1',
  'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1',
  'af-south-1', 'me-south-1', 'me-central-1', 'il-central-1', 'ap-east-1', 'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
];

const WASABI_REGIONS = [
  'us-east-1', 'us-east-2', 'us-central-1', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-central-1', 'eu-central-2',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1', 'ap-southeast-2',
];

const B2_REGIONS = ['us-west-000', 'us-west-001', 'us-west-002', 'us-west-004', 'us-east-005', 'eu-central-003', 'ca-east-006'];

const plain = (regions: readonly string[]): RegionOption[] => regions.map((value) => ({ value, label: value }));

export interface EndpointPreset {
  id: string;
  name: string;
  /** Where the region list comes from: a fixed list, or suggestions where the service adds regions over time. */
  regions: { options: RegionOption[]; open: boolean; label: string; default: string };
  /** The account ID that is part of the host (Cloudflare R2): what it looks like. */
  account?: { label: string; pattern: RegExp; format: string; help: string };
  /** The endpoint for a region (and account); undefined for self-hosted services, whose address the user types. */
  endpoint?: (choice: { region: string; account: string }) => string;
  /** The region requests are signed for, where it differs from the one chosen (R2 signs every location as "auto"). */
  signingRegion?: (region: string) => string;
  forcePathStyle: boolean;
  checksums: ChecksumMode;
  help: string;
}

export const ENDPOINT_PRESETS: EndpointPreset[] = [
  {
    id: 'aws',
    name: 'Amazon S3',
    regions: { options: plain(AWS_REGIONS), open: true, label: 'Region', default: 'us-east-1' },
    endpoint: ({ region }) => `https://s3.${region}.amazonaws.com`,
    forcePathStyle: false,
    checksums: 'when-supported',
    help: 'Buckets are reached as virtual hosts (bucket.s3.region.amazonaws.com), as AWS requires for new buckets.',
  },
  {
    id: 'b2',
    name: 'Backblaze B2',
    regions: { options: plain(B2_REGIONS), open: true, label: 'Region', default: 'us-west-004' },
    endpoint: ({ region }) => `https://s3.${region}.backblazeb2.com`,
    forcePathStyle: true,
    checksums: 'when-required',
    help: 'A B2 account lives in one region: the one in the S3 endpoint shown on the Buckets page (s3.REGION.backblazeb2.com). Use an application key, not the master key.',
  },
  {
    id: 'r2',
    name: 'Cloudflare R2',
    regions: {
      options: [
        { value: 'default', label: 'Default' },
        { value: 'eu', label: 'EU jurisdiction' },
        { value: 'fedramp', label: 'FedRAMP jurisdiction' },
      ],
      open: false,
      label: 'Jurisdiction',
      default: 'default',
    },
    account: { label: 'Account ID', pattern: /^[0-9a-f]{32}$/, format: '32 characters, digits and a–f', help: 'The 32-character account ID from the Cloudflare dashboard (R2 → Overview).' },
    endpoint: ({ region, account }) => `https://${account}${region === 'default' ? '' : `.${region}`}.r2.cloudflarestorage.com`,
    signingRegion: () => 'auto',
    forcePathStyle: true,
    checksums: 'when-required',
    help: 'R2 signs requests for the region "auto"; the account ID is part of the host.',
  },
  {
    id: 'digitalocean',
    name: 'DigitalOcean Spaces',
    regions: { options: plain(SPACES_REGIONS), open: false, label: 'Datacenter', default: 'nyc3' },
    endpoint: ({ region }) => `https://${region}.digitaloceanspaces.com`,
    forcePathStyle: false,
    checksums: 'when-required',
    help: 'A Spaces key works in every datacenter; pick the one your buckets are in.',
  },
  {
    id: 'ionos',
    name: 'IONOS Object Storage',
    regions: { options: IONOS_S3_REGIONS, open: false, label: 'Region', default: 'eu-central-1' },
    endpoint: ({ region }) => `https://s3.${region}.ionoscloud.com`,
    forcePathStyle: false,
    checksums: 'when-required',
    help: 'IONOS serves buckets as virtual hosts on every region endpoint.',
  },
  {
    id: 'minio',
    name: 'MinIO',
    regions: { options: plain(['us-east-1']), open: true, label: 'Region', default: 'us-east-1' },
    forcePathStyle: true,
    checksums: 'when-supported',
    help: 'Enter your MinIO server, e.g. http://192.168.1.20:9000 (MinIO’s default region is us-east-1 unless the server sets another).',
  },
  {
    id: 'wasabi',
    name: 'Wasabi',
    regions: { options: plain(WASABI_REGIONS), open: true, label: 'Region', default: 'us-east-1' },
    endpoint: ({ region }) => `https://s3.${region}.wasabisys.com`,
    forcePathStyle: true,
    checksums: 'when-required',
    help: 'Use the region your bucket was created in; Wasabi recommends path-style requests.',
  },
];

export function presetById(id: string): EndpointPreset | undefined {
  return ENDPOINT_PRESETS.find((preset) => preset.id === id);
}

/** The preset, region and account an endpoint was made from, so Settings can show a saved endpoint the same way. */
export function recognisePreset(endpoint: string, region: string): { preset: EndpointPreset; region: string; account: string } | undefined {
  // An account ID is the host's first label (R2); other presets have none.
  const firstLabel = /^https:\/\/([^./]+)\./.exec(endpoint)?.[1] ?? '';
  for (const preset of ENDPOINT_PRESETS) {
    if (!preset.endpoint) continue;
    const account = preset.account?.pattern.test(firstLabel) ? firstLabel : '';
    if (preset.account && !account) continue;
    const made = (choice: string) => preset.endpoint!({ region: choice, account }) === endpoint && (preset.signingRegion?.(choice) ?? choice) === region;
    const known = preset.regions.options.find((option) => made(option.value));
    if (known) return { preset, region: known.value, account };
    // Open lists: a region the list does not know yet.
    if (preset.regions.open && made(region)) return { preset, region, account };
  }
  return undefined;
}
