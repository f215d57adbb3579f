import type { Express } from 'express';
export declare function createApp(options: { readonly publicKey: string }): Express;
