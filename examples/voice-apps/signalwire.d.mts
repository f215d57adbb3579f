import type { Express } from 'express';
export declare function createApp(options: { readonly signingKey: string; readonly publicUrl: string }): Express;
