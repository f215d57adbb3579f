/**
 * The one function the tests use from @signalwire/compatibility-api, typed here:
 * its package.json `exports` hide its own typings from NodeNext resolution.
 */
declare module '@signalwire/compatibility-api' {
  export const RestClient: {
    validateRequest(signingKey: string, header: string, url: string, params: Record<string, string | string[]>, suppressWarning?: boolean): boolean;
  };
}
