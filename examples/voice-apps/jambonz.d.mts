import type { Server } from 'node:http';
import type { Express } from 'express';
export declare function createApp(options: { readonly secret: string; readonly publicUrl: string }): Express;
export declare function createAppServer(options: { readonly secret: string; readonly publicUrl: string }): { readonly app: Express; readonly server: Server };
