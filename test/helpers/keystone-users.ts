import { randomBytes } from 'node:crypto';
import { Agent, fetch } from 'undici';
import type { KeystoneInfo } from '../servers/keystone';

/** Keystone set-up for tests through the plain API with the admin user, independent of the code under test. */

export interface KeystoneUser {
  userId: string;
  username: string;
  password: string;
  projectId: string;
  projectName: string;
}

// The test Keystone closes every connection after its answer; a pooled connection may be reused just as it
// closes ("other side closed", undici#3492), and `pipelining: 0` alone did not prevent that in CI. Each set-up
// call gets a connection of its own, closed with it.
async function keystone(info: KeystoneInfo, token: string | undefined, method: string, path: string, body?: unknown) {
  const connection = new Agent({ pipelining: 0 });
  try {
    const response = await fetch(`${info.url}${path}`, {
      dispatcher: connection,
      method,
      headers: { 'content-type': 'application/json', ...(token && { 'x-auth-token': token }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`Keystone ${method} ${path}: ${response.status} ${await response.text()}`);
    return { headers: response.headers, json: response.status === 204 ? {} : ((await response.json()) as Record<string, any>) };
  } finally {
    await connection.close();
  }
}

export async function passwordToken(info: KeystoneInfo, username: string, password: string, project: string): Promise<string> {
  const { headers } = await keystone(info, undefined, 'POST', '/auth/tokens', {
    auth: {
      identity: { methods: ['password'], password: { user: { name: username, domain: { id: 'default' }, password } } },
      scope: { project: { name: project, domain: { id: 'default' } } },
    },
  });
  return headers.get('x-subject-token')!;
}

const adminToken = (info: KeystoneInfo) => passwordToken(info, info.admin.username, info.admin.password, info.admin.project);

export async function createProject(info: KeystoneInfo, prefix = 'proj', name = `${prefix}-${randomBytes(4).toString('hex')}`): Promise<{ id: string; name: string }> {
  const { json } = await keystone(info, await adminToken(info), 'POST', '/projects', { project: { name, domain_id: 'default' } });
  return { id: json.project.id, name };
}

export type KeystoneRole = 'reader' | 'member' | 'admin';

/**
 * A user with a role (member unless told) in a new project. Passing `like` makes the same user name,
 * password and project name in another Keystone: one identity across a cloud's regions.
 */
export async function createKeystoneUser(info: KeystoneInfo, prefix = 'user', options: { role?: KeystoneRole | 'none'; like?: KeystoneUser } = {}): Promise<KeystoneUser> {
  const project = await createProject(info, prefix, options.like?.projectName);
  const username = options.like?.username ?? `${prefix}-${randomBytes(4).toString('hex')}`;
  const password = options.like?.password ?? randomBytes(12).toString('hex');
  const { json } = await keystone(info, await adminToken(info), 'POST', '/users', { user: { name: username, password, domain_id: 'default', default_project_id: project.id } });
  const role = options.role ?? 'member';
  if (role !== 'none') await grantRole(info, json.user.id, project.id, role);
  return { userId: json.user.id, username, password, projectId: project.id, projectName: project.name };
}

export async function grantRole(info: KeystoneInfo, userId: string, projectId: string, role: KeystoneRole): Promise<void> {
  const admin = await adminToken(info);
  const { json } = await keystone(info, admin, 'GET', `/roles?name=${role}`);
  await keystone(info, admin, 'PUT', `/projects/${projectId}/users/${userId}/roles/${json.roles[0].id}`);
}

/**
 * Points this Keystone's catalog at `url` for a service type (as a cloud lists its S3 or Swift), creating
 * the service once: a second service creation fails on this SQLite Keystone ("database is locked"), and
 * test files share Keystones, so later calls move the one public endpoint instead.
 */
export async function setCatalogEndpoint(info: KeystoneInfo, type: string, url: string): Promise<void> {
  const admin = await adminToken(info);
  const { json: services } = await keystone(info, admin, 'GET', `/services?type=${encodeURIComponent(type)}`);
  const serviceId: string =
    services.services[0]?.id ?? (await keystone(info, admin, 'POST', '/services', { service: { type, name: type } })).json.service.id;
  const { json: endpoints } = await keystone(info, admin, 'GET', `/endpoints?service_id=${serviceId}&interface=public`);
  const existing = endpoints.endpoints[0]?.id as string | undefined;
  if (existing) await keystone(info, admin, 'PATCH', `/endpoints/${existing}`, { endpoint: { url } });
  else await keystone(info, admin, 'POST', '/endpoints', { endpoint: { service_id: serviceId, interface: 'public', region_id: 'RegionOne', url } });
}

/** An EC2 credential made straight in Keystone as the user, for a project of theirs (as another tool would). */
export async function createEc2Credential(info: KeystoneInfo, user: KeystoneUser): Promise<{ access: string; secret: string }> {
  const token = await passwordToken(info, user.username, user.password, user.projectName);
  const { json } = await keystone(info, token, 'POST', `/users/${user.userId}/credentials/OS-EC2`, { tenant_id: user.projectId });
  return { access: json.credential.access, secret: json.credential.secret };
}

export async function createApplicationCredential(info: KeystoneInfo, user: KeystoneUser): Promise<{ id: string; secret: string }> {
  const token = await passwordToken(info, user.username, user.password, user.projectName);
  const { json } = await keystone(info, token, 'POST', `/users/${user.userId}/application_credentials`, {
    application_credential: { name: `app-${randomBytes(4).toString('hex')}` },
  });
  return { id: json.application_credential.id, secret: json.application_credential.secret };
}

/** Sets a new password as admin; Keystone revokes the user's existing tokens. */
export async function setPassword(info: KeystoneInfo, userId: string, password: string): Promise<void> {
  await keystone(info, await adminToken(info), 'PATCH', `/users/${userId}`, { user: { password } });
}

/** Disables and re-enables a user: revokes its tokens while its password keeps working. */
export async function revokeTokens(info: KeystoneInfo, userId: string): Promise<void> {
  const admin = await adminToken(info);
  await keystone(info, admin, 'PATCH', `/users/${userId}`, { user: { enabled: false } });
  await keystone(info, admin, 'PATCH', `/users/${userId}`, { user: { enabled: true } });
}

/** The EC2 credentials Keystone holds for a user, read as admin. */
export async function ec2Credentials(info: KeystoneInfo, userId: string): Promise<{ access: string; tenant_id: string }[]> {
  const { json } = await keystone(info, await adminToken(info), 'GET', `/users/${userId}/credentials/OS-EC2`);
  return json.credentials;
}
