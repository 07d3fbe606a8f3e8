import { assets } from "./assets.gen.ts";

export type AssetName = keyof typeof assets;

/** The content-hashed path of a built asset (public/assets, served with a year's immutable caching). */
export function assetPath(name: string): string {
  return (assets as Record<string, string>)[name] ?? `/assets/${name}`;
}
