import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';

/**
 * A stand-in for the AWS IAM Query API on 127.0.0.1: form-encoded `Action=…&Version=2010-05-08` requests,
 * XML answers and `<ErrorResponse>` errors in the shapes AWS documents, with AWS's limit of two keys per
 * user. It records every request so tests can assert what the adapter sent. It does not check signatures:
 * the caller is picked by the access key ID in the Authorization header.
 */

export interface IamRequest {
  action: string;
  params: Record<string, string>;
  authorization: string;
  securityToken?: string;
  contentType?: string;
}

interface FakeKey {
  id: string;
  secret: string;
  status: 'Active' | 'Inactive';
  created: string;
  lastUsed?: string;
}

/**
 * Optional: makes the fake's keys real S3 keys somewhere (an RGW, see helpers/iam-on-rgw.ts), so a key
 * IAM creates works on S3 and one it deactivates or deletes is refused — as on AWS.
 */
export interface IamBacking {
  enable(user: string, accessKeyId: string, secretAccessKey: string): Promise<void>;
  disable(user: string, accessKeyId: string): Promise<void>;
}

/** Management access key IDs that make the fake answer with the matching error to every request. */
export const FAILING_KEYS: Record<string, { status: number; code: string; message: string }> = {
  AKIADENIED0000000000: { status: 403, code: 'AccessDenied', message: 'User: arn:aws:iam::123456789012:user/carol is not authorized to perform this action' },
  AKIAUNKNOWN000000000: { status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' },
  AKIABADSIGNATURE0000: { status: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided.' },
  AKIAEXPIRED000000000: { status: 403, code: 'ExpiredToken', message: 'The security token included in the request is expired' },
};

const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const metadata = () => `<ResponseMetadata><RequestId>${randomBytes(16).toString('hex')}</RequestId></ResponseMetadata>`;
const ok = (action: string, result = '') =>
  `<${action}Response xmlns="${NS}">${result && `<${action}Result>${result}</${action}Result>`}${metadata()}</${action}Response>`;
const keyXml = (user: string, key: FakeKey, withSecret: boolean) =>
  `<UserName>${user}</UserName><AccessKeyId>${key.id}</AccessKeyId><Status>${key.status}</Status>` +
  `${withSecret ? `<SecretAccessKey>${key.secret}</SecretAccessKey>` : ''}<CreateDate>${key.created}</CreateDate>`;

class IamError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startFakeIam(callers: Record<string, string>, users: string[], backing?: IamBacking) {
  const keys = new Map<string, FakeKey[]>(users.map((u) => [u, []]));
  const requests: IamRequest[] = [];

  const userKeys = (name: string) => {
    const list = keys.get(name);
    if (!list) throw new IamError(404, 'NoSuchEntity', `The user with name ${name} cannot be found.`);
    return list;
  };
  const findKey = (user: string, id: string) => {
    const key = userKeys(user).find((k) => k.id === id);
    if (!key) throw new IamError(404, 'NoSuchEntity', `The Access Key with id ${id} cannot be found.`);
    return key;
  };

  async function handle(caller: string, action: string, p: Record<string, string>): Promise<string> {
    const user = p.UserName ?? caller;
    switch (action) {
      case 'GetUser':
        userKeys(user);
        return ok(action, `<User><Path>/</Path><UserName>${user}</UserName><UserId>AIDA${user.toUpperCase()}</UserId><Arn>arn:aws:iam::123456789012:user/${user}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate></User>`);
      case 'ListUsers': {
        // Two per page, so clients must follow Marker.
        const all = [...keys.keys()].sort();
        const start = p.Marker ? all.indexOf(p.Marker) : 0;
        const page = all.slice(start, start + 2);
        const next = all[start + 2];
        const members = page.map((u) => `<member><Path>/</Path><UserName>${u}</UserName><UserId>AIDA${u.toUpperCase()}</UserId><Arn>arn:aws:iam::123456789012:user/${u}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate></member>`);
        return ok(action, `<Users>${members.join('')}</Users><IsTruncated>${next ? 'true' : 'false'}</IsTruncated>${next ? `<Marker>${next}</Marker>` : ''}`);
      }
      case 'CreateAccessKey': {
        const list = userKeys(user);
        if (list.length >= 2) throw new IamError(409, 'LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2');
        const key: FakeKey = {
          id: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
          secret: randomBytes(30).toString('base64'),
          status: 'Active',
          created: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)).toISOString(),
        };
        await backing?.enable(user, key.id, key.secret);
        list.push(key);
        return ok(action, `<AccessKey>${keyXml(user, key, true)}</AccessKey>`);
      }
      case 'ListAccessKeys':
        return ok(action, `<UserName>${user}</UserName><AccessKeyMetadata>${userKeys(user).map((k) => `<member>${keyXml(user, k, false)}</member>`).join('')}</AccessKeyMetadata><IsTruncated>false</IsTruncated>`);
      case 'UpdateAccessKey': {
        const key = findKey(user, p.AccessKeyId);
        key.status = p.Status === 'Inactive' ? 'Inactive' : 'Active';
        if (key.status === 'Active') await backing?.enable(user, key.id, key.secret);
        else await backing?.disable(user, key.id);
        return ok(action);
      }
      case 'DeleteAccessKey':
        findKey(user, p.AccessKeyId);
        await backing?.disable(user, p.AccessKeyId);
        keys.set(user, userKeys(user).filter((k) => k.id !== p.AccessKeyId));
        return ok(action);
      case 'GetAccessKeyLastUsed': {
        const owner = [...keys.entries()].find(([, list]) => list.some((k) => k.id === p.AccessKeyId));
        if (!owner) throw new IamError(404, 'NoSuchEntity', `The Access Key with id ${p.AccessKeyId} cannot be found.`);
        const key = owner[1].find((k) => k.id === p.AccessKeyId)!;
        const used = key.lastUsed
          ? `<LastUsedDate>${key.lastUsed}</LastUsedDate><ServiceName>s3</ServiceName><Region>us-east-1</Region>`
          : '<ServiceName>N/A</ServiceName><Region>N/A</Region>';
        return ok(action, `<AccessKeyLastUsed>${used}</AccessKeyLastUsed><UserName>${owner[0]}</UserName>`);
      }
      default:
        throw new IamError(400, 'InvalidAction', `Could not find operation ${action} for version 2010-05-08`);
    }
  }

  const server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const params = Object.fromEntries(new URLSearchParams(body));
    const authorization = req.headers.authorization ?? '';
    const { Action: action = '', ...rest } = params;
    requests.push({
      action,
      params: rest,
      authorization,
      securityToken: req.headers['x-amz-security-token'] as string | undefined,
      contentType: req.headers['content-type'],
    });
    const keyId = /Credential=([^/]+)\//.exec(authorization)?.[1] ?? '';
    let status = 200;
    let xml: string;
    try {
      if (req.method !== 'POST' || params.Version !== '2010-05-08') throw new IamError(400, 'InvalidParameterValue', 'POST with Version=2010-05-08 expected');
      const failing = FAILING_KEYS[keyId];
      if (failing) throw new IamError(failing.status, failing.code, failing.message);
      const caller = callers[keyId];
      if (!caller) throw new IamError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
      xml = await handle(caller, action, rest);
    } catch (error) {
      if (!(error instanceof IamError)) throw error;
      status = error.status;
      xml = `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${error.code}</Code><Message>${error.message}</Message></Error><RequestId>${randomBytes(16).toString('hex')}</RequestId></ErrorResponse>`;
    }
    res.writeHead(status, { 'content-type': 'text/xml' }).end(xml);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    addUser(user: string) {
      if (!keys.has(user)) keys.set(user, []);
    },
    /** A key the user already has (created outside Keydesk); the backing is not told. */
    addKey(user: string, id: string, secret: string) {
      userKeys(user).push({ id, secret, status: 'Active', created: new Date(Date.UTC(2024, 5, 1)).toISOString() });
    },
    /** Marks a key as used, as AWS does when the key signs a request. */
    markUsed(keyId: string, when: string) {
      for (const list of keys.values()) for (const key of list) if (key.id === keyId) key.lastUsed = when;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // the SDK keeps connections alive
      }),
  };
}
