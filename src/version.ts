import { createRequire } from 'node:module'

/** The package version, written into history rows and generated file headers. */
export const toolVersion: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version
