import { CreateBucketCommand, GetBucketVersioningCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { claimSwiftAccount, startSwift, SWIFT_MISSING, swiftInstalled, type SwiftInfo } from '../servers/swift';
import { addCredential, bucketAction, objectAction, openBucket, row, s3For } from './browse-helpers';
import { electronBinary, expect, snapSizes, test as base } from './fixtures';

/*
 * Keydesk against OpenStack Swift's S3 API, through the UI: every settings area Swift lacks reads as
 * "not available on this server" with the reason (never a raw NotImplemented or a listing mistaken for
 * settings), what Swift has (versioning, object properties) works, and no settings screen changes the
 * bucket or its objects by being opened.
 */
const test = base.extend<{ swift: SwiftInfo }>({
  swift: async ({ keydeskMode }, use) => {
    test.skip(keydeskMode === 'electron' && !electronBinary(), 'Electron binary not installed: browser mode covers this spec.');
    if (!swiftInstalled()) throw new Error(SWIFT_MISSING);
    const { info, stop } = await startSwift({ accounts: 1 });
    try {
      await use(info);
    } finally {
      await stop();
    }
  },
});

test('Swift S3 API: settings Swift lacks are unavailable with the reason, versioning and object properties work', async ({ page, swift, snap }) => {
  test.setTimeout(180_000);
  const key = claimSwiftAccount(swift);
  const s3 = s3For(swift, key);
  const bucket = 'swift-settings';
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'report.txt', Body: 'quarterly numbers', ContentType: 'application/octet-stream' }));

  await addCredential(page, swift, key, 'Swift S3');
  await openBucket(page, bucket);
  await bucketAction(page, 'Settings…');
  const settings = page.getByRole('dialog', { name: `Settings of ${bucket}` });
  await expect(settings).toContainText(/Server: OpenStack Swift 2\.\d+\.\d+ \(S3 API\)/);
  const panel = settings.getByRole('tabpanel');

  // Versioning: Swift has it (this cluster allows object versioning), so the tab works.
  await expect(panel).toContainText('Versioning is off.');
  await snapSizes(page, snap, 'swift-settings-versioning');

  const lacking: [tab: string, what: string, reason: RegExp][] = [
    ['Lifecycle', 'Lifecycle rules is not available on this server.', /Swift's S3 API has no lifecycle rules/],
    ['CORS', 'CORS is not available on this server.', /does not implement bucket CORS/],
    ['Policy', 'The bucket policy is not available on this server.', /does not implement bucket policies.*Swift container ACLs/],
    ['Access (ACL)', '', /without S3 ACLs \(s3_acl off\).*container ACLs/],
    ['Tags', 'Bucket tags is not available on this server.', /cannot store bucket tags/],
    ['Lock, encryption, quota', 'Object lock is not available on this server.', /has no object lock/],
  ];
  for (const [tab, what, reason] of lacking) {
    await settings.getByRole('tab', { name: tab }).click();
    if (what) await expect(panel).toContainText(what);
    await expect(panel).toContainText(reason);
    // Never a raw server error (Keydesk's catch-all "refused the request (…, HTTP 501)"), XML, or a listing read as settings.
    await expect(panel.getByRole('alert')).toHaveCount(0);
    await expect(panel).not.toContainText(/refused the request|HTTP \d{3}|<\?xml|ListBucketResult|MalformedXML/);
    await snapSizes(page, snap, `swift-settings-${tab.split(/[ ,]/)[0].toLowerCase()}`);
  }
  await expect(panel).toContainText('Default encryption is not available on this server.');
  await expect(panel).toContainText(/no default-encryption setting for buckets/);

  // Versioning on, from the UI, as Swift stores it.
  await settings.getByRole('tab', { name: 'Versioning' }).click();
  await panel.getByRole('button', { name: 'Turn versioning on' }).click();
  await expect(panel).toContainText('Versioning is on.');
  await expect.poll(async () => (await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe('Enabled');
  await settings.getByRole('button', { name: 'Close' }).click();

  // Opening every tab changed nothing (on Swift a stray lifecycle DELETE would have deleted the bucket).
  await s3.send(new HeadBucketCommand({ Bucket: bucket }));

  // Object properties: tags unavailable with the reason, one storage class, the content type saved in place.
  await row(page, 'report.txt').click();
  await objectAction(page, 'Properties…');
  const props = page.getByRole('dialog', { name: 'Properties of report.txt' });
  await expect(props).toContainText(/Tags: Swift's S3 API cannot store object tags/);
  await expect(props).toContainText('This server offers only STANDARD.');
  await expect(props.getByRole('alert')).toHaveCount(0);
  await props.getByLabel('Content-Type', { exact: true }).fill('text/plain');
  await snapSizes(page, snap, 'swift-object-properties');
  await props.getByRole('button', { name: 'Save' }).click();
  await expect(props).toBeHidden();
  // The copy in place runs as an operation after the dialog closes.
  const head = () => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'report.txt' }));
  await expect.poll(async () => (await head()).ContentType).toBe('text/plain');
  expect((await head()).ContentLength).toBe('quarterly numbers'.length);
  s3.destroy();
});
