import { rgwFromEnv, startRgw } from '../servers/rgw';

/** One real RGW for all specs (reused when scripts/test.mjs started one); workers read it from env. */
export default async function globalSetup(): Promise<(() => Promise<void>) | undefined> {
  if (rgwFromEnv()) return undefined;
  const { info, stop } = await startRgw();
  process.env.KEYDESK_TEST_RGW = JSON.stringify(info);
  return stop;
}
