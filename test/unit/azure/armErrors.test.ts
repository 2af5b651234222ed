// ARM error bodies shaped like ARM's common error responses ({error:{code,message}}) and the DPS
// resource provider's ErrorDetails ({code,message}), sent through the client so every call maps
// them the same way, then through the one error presentation.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AxiosAdapter, InternalAxiosRequestConfig } from 'axios';
import { ArmClient, ArmError } from '../../../src/azure';
import { describeError } from '../../../src/common/errorPresentation';

const SUB = '91d12660-3dec-467a-be2a-213b5544ddc0';
const DPS_ID = `/subscriptions/${SUB}/resourceGroups/myResourceGroup/providers/Microsoft.Devices/provisioningServices/myFirstProvisioningService`;

function armAnswering(status: number, body: unknown, headers: Record<string, string> = {}): ArmClient {
  const adapter: AxiosAdapter = (config: InternalAxiosRequestConfig) =>
    Promise.resolve({ data: JSON.stringify(body), status, statusText: '', headers: { 'x-ms-request-id': 'req-7', ...headers }, config });
  return new ArmClient({ endpoint: 'https://management.azure.com', tokenProvider: () => Promise.resolve({ token: 'arm-token-secret', expiresOnTimestamp: Date.now() + 3_600_000 }), adapter });
}

async function failure(call: Promise<unknown>): Promise<ArmError> {
  const error = await call.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ArmError, `expected an ArmError, got ${String(error)}`);
  return error;
}

void describe('ARM errors: what to do, by code', () => {
  void test('AuthorizationFailed names the action, the role it needs and the scope from ARM message', async () => {
    const scope = `${DPS_ID}/certificates/root-ca`;
    const arm = armAnswering(403, {
      error: {
        code: 'AuthorizationFailed',
        message: `The client 'someone@contoso.com' with object id '00000000-0000-0000-0000-000000000001' does not have authorization to perform action 'Microsoft.Devices/provisioningServices/certificates/write' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      },
    });
    const error = await failure(arm.createOrUpdateCertificate(DPS_ID, 'root-ca', 'MA=='));
    assert.equal(error.code, 'AuthorizationFailed');
    assert.match(error.message, /^The signed-in account may not upload the CA certificate \(Microsoft\.Devices\/provisioningServices\/certificates\/write\): it needs "Contributor"/);
    assert.ok(error.message.includes(`on scope ${scope}.`), error.message);
    const shown = describeError(error, 'Could not upload the CA certificate');
    assert.equal(shown.isAuth, true);
    assert.deepEqual(shown.actions, ['showLogs']);
    assert.match(shown.logLine, /operation=DpsCertificate_CreateOrUpdate, status=403, code=AuthorizationFailed, requestId=req-7/);
  });

  void test('AuthorizationFailed without a scope in the message (the emulator) falls back to the request path; a read needs Reader', async () => {
    const arm = armAnswering(403, { error: { code: 'AuthorizationFailed', message: 'The client does not have authorization to perform this read action.' } });
    const error = await failure(arm.listCertificates(DPS_ID));
    assert.match(error.message, /may not list CA certificates: it needs "Reader" .* on scope \/subscriptions\/91d12660[^ ]*\/certificates\./);
  });

  void test('an expired token says to sign in again; other token rejections too', async () => {
    const expired = await failure(
      armAnswering(401, { error: { code: 'ExpiredAuthenticationToken', message: "The access token expiry UTC time '11/30/2026 10:00:00 PM' is earlier than current UTC time '11/30/2026 11:00:00 PM'." } }).getProvisioningService(DPS_ID),
    );
    assert.match(expired.message, /^Your Azure sign-in has expired: sign in again/);
    assert.equal(describeError(expired, 'Could not read the instance').isAuth, true);
    const invalid = await failure(armAnswering(401, { error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' } }).listSubscriptions());
    assert.match(invalid.message, /^Azure did not accept the sign-in: sign in again/);
    const tenant = await failure(armAnswering(401, { error: { code: 'InvalidAuthenticationTokenTenant', message: "The access token is from the wrong issuer 'https://sts.windows.net/x/'." } }).listSubscriptions());
    assert.match(tenant.message, /another directory \(tenant\)/);
  });

  void test('not found: resource, resource group, subscription, certificate each say which', async () => {
    const resource = await failure(
      armAnswering(404, { error: { code: 'ResourceNotFound', message: "The Resource 'Microsoft.Devices/provisioningServices/myFirstProvisioningService' under resource group 'myResourceGroup' was not found." } }).getProvisioningService(DPS_ID),
    );
    assert.match(resource.message, /^The resource was not found .*refresh and try again \(HTTP 404, ResourceNotFound\)/);
    assert.deepEqual(describeError(resource, 'x').actions, ['refresh', 'showLogs']);
    const group = await failure(armAnswering(404, { error: { code: 'ResourceGroupNotFound', message: "Resource group 'myResourceGroup' could not be found." } }).getProvisioningService(DPS_ID));
    assert.match(group.message, /^The resource group was not found/);
    const sub = await failure(armAnswering(404, { error: { code: 'SubscriptionNotFound', message: `The subscription '${SUB}' could not be found.` } }).listProvisioningServices(SUB));
    assert.match(sub.message, /^The subscription was not found, or this account cannot see it/);
    // The DPS resource provider's ErrorDetails: code and message at the top level.
    const cert = await failure(armAnswering(404, { code: 'NotFound', httpStatusCode: 'NotFound', message: "Certificate 'gone' was not found." }).getCertificate(DPS_ID, 'gone'));
    assert.match(cert.message, /^The CA certificate was not found/);
  });

  void test('a refused certificate and a failed proof of possession have their own sentences', async () => {
    const invalid = await failure(armAnswering(400, { code: 'InvalidCertificate', message: 'The certificate is not a readable X.509 certificate.' }).createOrUpdateCertificate(DPS_ID, 'c', 'MA=='));
    assert.match(invalid.message, /^Azure refused the certificate: send one X\.509 CA certificate as PEM or DER/);
    const proof = await failure(armAnswering(400, { code: 'CertificateVerificationFailed', message: 'The verification certificate is not signed by this CA.' }).verifyCertificate(DPS_ID, 'c', 'etag', 'MA=='));
    assert.match(proof.message, /^The proof of possession was refused: .*private key of the uploaded CA.*latest verification code/);
    assert.match(proof.message, /not signed by this CA\.$/);
    // A code we do not know, on verify, is still read as a failed proof.
    const unknown = await failure(armAnswering(400, { error: { code: '400042', message: 'Verification failed.' } }).verifyCertificate(DPS_ID, 'c', 'etag', 'MA=='));
    assert.match(unknown.message, /^The proof of possession was refused/);
    const expired = await failure(armAnswering(400, { code: 'CertificateExpired', message: 'The CA certificate has expired.' }).verifyCertificate(DPS_ID, 'c', 'etag', 'MA=='));
    assert.match(expired.message, /^The CA certificate has expired and cannot be verified: upload a current/);
  });

  void test('429 carries Retry-After to the message and to the Retry button', async () => {
    const error = await failure(armAnswering(429, { error: { code: 'SubscriptionRequestsThrottled', message: 'Number of read requests for subscription exceeded the limit.' } }, { 'retry-after': '17' }).listCertificates(DPS_ID));
    assert.equal(error.retryAfterMs, 17_000);
    assert.match(error.message, /^Azure Resource Manager is throttling requests: wait 17 s/);
    const shown = describeError(error, 'Could not list CA certificates');
    assert.deepEqual(shown.actions, ['retry', 'showLogs']);
    assert.equal(shown.retryAfterMs, 17_000);
    const noHeader = await failure(armAnswering(429, { error: { code: 'TooManyRequests', message: 'Too many.' } }).listCertificates(DPS_ID));
    assert.equal(noHeader.retryAfterMs, undefined);
    assert.match(noHeader.message, /wait a moment and try again/);
  });

  void test('an unknown code keeps the status sentence and ARM words; no token anywhere', async () => {
    const error = await failure(armAnswering(409, { error: { code: 'Conflict', message: 'Operation in progress.' } }).deleteCertificate(DPS_ID, 'c', 'e'));
    assert.match(error.message, /^The request conflicts with the current state of the resource \(HTTP 409, Conflict\): Operation in progress\.$/);
    const shown = describeError(error, 'Could not delete');
    for (const text of [shown.message ?? '', shown.logLine, JSON.stringify(error)]) assert.doesNotMatch(text, /arm-token-secret/);
  });
});
