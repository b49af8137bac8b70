// acq-viessmann's settings. Defaults are the real service's hosts and the Basic plan's limits;
// the start command points them at the simulated API.
import { Type } from '@sinclair/typebox';
import { ID_PATTERN } from '@heatstream/contracts';

export const acqViessmannConfig = {
  site: Type.String({ pattern: ID_PATTERN, description: 'the site every discovered device belongs to' }),
  api: Type.Object(
    {
      baseUrl: Type.String({
        default: 'https://api.viessmann-climatesolutions.com',
        description: 'the API host; paths are /iot/v2/… (v1 is gone)',
      }),
      timeoutMs: Type.Integer({ default: 15_000, minimum: 100 }),
      rediscoverMs: Type.Integer({
        default: 21_600_000,
        minimum: 60_000,
        description: 'installations and gateways are listed again this often (one call)',
      }),
    },
    { additionalProperties: false, default: {} },
  ),
  oauth: Type.Object(
    {
      authorizeUrl: Type.String({ default: 'https://iam.viessmann-climatesolutions.com/idp/v3/authorize' }),
      tokenUrl: Type.String({ default: 'https://iam.viessmann-climatesolutions.com/idp/v3/token' }),
      clientId: Type.String({ minLength: 1, description: 'your client id from the developer portal' }),
      redirectUri: Type.String({
        minLength: 1,
        description: 'a redirect URI registered for that client (not the ViCare app’s vicare://…)',
      }),
      refreshBeforeMs: Type.Integer({
        default: 300_000,
        minimum: 0,
        description: 'the access token is refreshed this long before it expires',
      }),
    },
    { additionalProperties: false },
  ),
  budget: Type.Object(
    {
      perTenMinutes: Type.Integer({ default: 120, minimum: 1 }),
      daily: Type.Integer({
        default: 1_450,
        minimum: 1,
        description: 'calls per UTC day; a 429 body’s requestCountLimit replaces it',
      }),
      reserve: Type.Integer({
        default: 50,
        minimum: 0,
        description: 'daily calls kept back from polling for discovery and restarts',
      }),
    },
    { additionalProperties: false, default: {} },
  ),
  devices: Type.Array(
    Type.Object(
      {
        gatewaySerial: Type.String({ minLength: 1 }),
        deviceId: Type.String({ minLength: 1, description: 'the device id within the gateway, e.g. "0"' }),
        id: Type.String({ pattern: ID_PATTERN, description: 'the heatstream device id' }),
      },
      { additionalProperties: false },
    ),
    { default: [], description: 'names for discovered devices; others are vitocal-<serial>-<device id>' },
  ),
  frozenAfterMs: Type.Integer({
    default: 3_600_000,
    minimum: 60_000,
    description: 'compressor running time with the energy summaries unchanged before they count as frozen',
  }),
};
