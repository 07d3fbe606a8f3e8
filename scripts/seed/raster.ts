/**
 * A tiny anti-aliased rasteriser for the demo product drawings: filled polygons (circles, rounded
 * rectangles and strokes are polygons too) in a 100 × 100 design space, linear gradients, PNG output via
 * node:zlib. Coverage is exact across each pixel and sampled on five sub-scanlines down it.
 */
import { crc32, deflateSync } from "node:zlib";

export type Rgb = readonly [number, number, number];
export type Point = readonly [number, number];
/** A flat colour, or a linear gradient from (x0, y0) to (x1, y1) in design units. */
export type Paint = Rgb | { from: Rgb; to: Rgb; x0: number; y0: number; x1: number; y1: number };

const SUBSAMPLES = 5;

/** "#3a6ea5" → [58, 110, 165] */
export function hex(value: string): Rgb {
  const n = Number.parseInt(value.replace("#", ""), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** `colour` mixed towards white (amount > 0) or black (amount < 0). */
export function shade(colour: Rgb, amount: number): Rgb {
  const target = amount > 0 ? 255 : 0;
  const t = Math.abs(amount);
  return colour.map((c) => Math.round(c + (target - c) * t)) as unknown as Rgb;
}

export class Canvas {
  readonly size: number;
  private readonly pixels: Float32Array;
  private readonly scale: number;

  constructor(size: number, background: Paint) {
    this.size = size;
    this.scale = size / 100;
    this.pixels = new Float32Array(size * size * 3);
    this.fill([rect(0, 0, 100, 100)], background);
  }

  /** Fills the union of `paths` (or their even-odd combination, for holes) with `paint`. */
  fill(paths: Point[][], paint: Paint, options: { opacity?: number; evenOdd?: boolean } = {}): void {
    const opacity = options.opacity ?? 1;
    const edges: [number, number, number, number, number][] = [];
    let minY = Number.POSITIVE_INFINITY;
    let maxY = Number.NEGATIVE_INFINITY;
    let minX = Number.POSITIVE_INFINITY;
    let maxX = Number.NEGATIVE_INFINITY;
    for (const path of paths) {
      // Nonzero union: every path wound the same way, so overlapping paths never cancel out.
      const points = !options.evenOdd && signedArea(path) < 0 ? [...path].reverse() : path;
      for (let i = 0; i < points.length; i++) {
        const a = points[i] as Point;
        const b = points[(i + 1) % points.length] as Point;
        const [x0, y0, x1, y1] = [a[0] * this.scale, a[1] * this.scale, b[0] * this.scale, b[1] * this.scale];
        minX = Math.min(minX, x0);
        maxX = Math.max(maxX, x0);
        minY = Math.min(minY, y0);
        maxY = Math.max(maxY, y0);
        if (y0 !== y1) edges.push(y0 < y1 ? [x0, y0, x1, y1, 1] : [x1, y1, x0, y0, -1]);
      }
    }
    const left = Math.max(0, Math.floor(minX));
    const right = Math.min(this.size, Math.ceil(maxX) + 1);
    const width = right - left;
    if (width <= 0) return;
    const coverage = new Float32Array(width);
    const crossings: [number, number][] = [];
    const weight = 1 / SUBSAMPLES;
    const addSpan = (from: number, to: number) => {
      const a = Math.max(from, left) - left;
      const b = Math.min(to, right) - left;
      if (b <= a) return;
      const ia = Math.floor(a);
      const ib = Math.floor(b);
      if (ia === ib) {
        coverage[ia] = (coverage[ia] ?? 0) + (b - a) * weight;
        return;
      }
      coverage[ia] = (coverage[ia] ?? 0) + (ia + 1 - a) * weight;
      for (let i = ia + 1; i < ib; i++) coverage[i] = (coverage[i] ?? 0) + weight;
      if (ib < width) coverage[ib] = (coverage[ib] ?? 0) + (b - ib) * weight;
    };
    for (let y = Math.max(0, Math.floor(minY)); y < Math.min(this.size, Math.ceil(maxY)); y++) {
      coverage.fill(0);
      for (let s = 0; s < SUBSAMPLES; s++) {
        const sy = y + (s + 0.5) / SUBSAMPLES;
        crossings.length = 0;
        for (const [x0, y0, x1, y1, dir] of edges) {
          if (sy < y0 || sy >= y1) continue;
          crossings.push([x0 + ((sy - y0) * (x1 - x0)) / (y1 - y0), dir]);
        }
        crossings.sort((p, q) => p[0] - q[0]);
        let winding = 0;
        let spanStart = 0;
        for (const [x, dir] of crossings) {
          const before = winding;
          winding = options.evenOdd ? winding ^ 1 : winding + dir;
          if (before === 0 && winding !== 0) spanStart = x;
          else if (before !== 0 && winding === 0) addSpan(spanStart, x);
        }
      }
      const colourAt = this.painter(paint);
      const colour: [number, number, number] = [0, 0, 0];
      for (let i = 0; i < width; i++) {
        const alpha = Math.min(1, coverage[i] ?? 0) * opacity;
        if (alpha <= 0) continue;
        const x = left + i;
        colourAt(x + 0.5, y + 0.5, colour);
        const at = (y * this.size + x) * 3;
        for (let k = 0; k < 3; k++)
          this.pixels[at + k] = (this.pixels[at + k] ?? 0) * (1 - alpha) + (colour[k] ?? 0) * alpha;
      }
    }
  }

  /** A soft elliptical shadow on the floor under an object. */
  shadow(cx: number, cy: number, rx: number, ry: number, strength = 0.22): void {
    for (let i = 0; i < 12; i++) {
      const grow = 1 + i * 0.04;
      this.fill([ellipse(cx, cy, rx * grow, ry * grow)], [40, 48, 60], { opacity: strength / 12 });
    }
  }

  /** Writes the paint's colour at pixel (px, py) into `out` (no allocation per pixel). */
  private painter(paint: Paint): (px: number, py: number, out: [number, number, number]) => void {
    if (!("from" in paint)) {
      const [r, g, b] = paint;
      return (_px, _py, out) => {
        out[0] = r;
        out[1] = g;
        out[2] = b;
      };
    }
    const [x0, y0, x1, y1] = [
      paint.x0 * this.scale,
      paint.y0 * this.scale,
      paint.x1 * this.scale,
      paint.y1 * this.scale,
    ];
    const dx = x1 - x0;
    const dy = y1 - y0;
    const length2 = dx * dx + dy * dy || 1;
    const [from, to] = [paint.from, paint.to];
    return (px, py, out) => {
      const t = Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / length2));
      for (let k = 0; k < 3; k++) out[k] = (from[k] ?? 0) + ((to[k] ?? 0) - (from[k] ?? 0)) * t;
    };
  }

  /** The pixels as 8-bit RGB rows. */
  rgb(): Uint8Array {
    const out = new Uint8Array(this.pixels.length);
    for (let i = 0; i < out.length; i++) out[i] = Math.round(this.pixels[i] ?? 0);
    return out;
  }

  /** The picture as an 8-bit RGB PNG. */
  png(): Buffer {
    return encodePng(this.size, this.size, this.rgb());
  }
}

/** Encodes 8-bit RGB rows as a PNG (filter 0 on every row). */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  const row = 1 + width * 3;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y++) raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * row + 1);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(raw)),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function signedArea(path: readonly Point[]): number {
  let area = 0;
  for (let i = 0; i < path.length; i++) {
    const [x0, y0] = path[i] as Point;
    const [x1, y1] = path[(i + 1) % path.length] as Point;
    area += x0 * y1 - x1 * y0;
  }
  return area / 2;
}

export function rect(x: number, y: number, w: number, h: number): Point[] {
  return [
    [x, y],
    [x + w, y],
    [x + w, y + h],
    [x, y + h],
  ];
}

/** An ellipse (rotated by `rotation` radians) as a 72-sided polygon; `from`/`to` angles make an arc sector. */
export function ellipse(cx: number, cy: number, rx: number, ry: number, rotation = 0): Point[] {
  return arc(cx, cy, rx, ry, 0, Math.PI * 2, rotation, 72);
}

export function circle(cx: number, cy: number, r: number): Point[] {
  return ellipse(cx, cy, r, r);
}

/** Points along an elliptical arc from angle `from` to `to` (radians, clockwise on screen). */
export function arc(
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  from: number,
  to: number,
  rotation = 0,
  steps = 36,
): Point[] {
  const points: Point[] = [];
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);
  const full = Math.abs(to - from) >= Math.PI * 2 - 1e-9;
  const n = full ? steps : steps + 1;
  for (let i = 0; i < n; i++) {
    const t = from + ((to - from) * i) / steps;
    const x = Math.cos(t) * rx;
    const y = Math.sin(t) * ry;
    points.push([cx + x * cos - y * sin, cy + x * sin + y * cos]);
  }
  return points;
}

export function roundRect(x: number, y: number, w: number, h: number, r: number): Point[] {
  const q = Math.PI / 2;
  return [
    ...arc(x + w - r, y + r, r, r, -q, 0, 0, 8),
    ...arc(x + w - r, y + h - r, r, r, 0, q, 0, 8),
    ...arc(x + r, y + h - r, r, r, q, 2 * q, 0, 8),
    ...arc(x + r, y + r, r, r, 2 * q, 3 * q, 0, 8),
  ];
}

/** A straight stroke from (x0, y0) to (x1, y1) as a quadrilateral of `width`. */
export function line(x0: number, y0: number, x1: number, y1: number, width: number): Point[] {
  const length = Math.hypot(x1 - x0, y1 - y0) || 1;
  const nx = (-(y1 - y0) / length) * (width / 2);
  const ny = ((x1 - x0) / length) * (width / 2);
  return [
    [x0 + nx, y0 + ny],
    [x1 + nx, y1 + ny],
    [x1 - nx, y1 - ny],
    [x0 - nx, y0 - ny],
  ];
}

/** A polyline of `width` as one quadrilateral per segment plus round joints. */
export function stroke(points: Point[], width: number): Point[][] {
  const paths: Point[][] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i] as Point, points[i + 1] as Point];
    paths.push(line(a[0], a[1], b[0], b[1], width));
    if (i > 0) paths.push(arc(a[0], a[1], width / 2, width / 2, 0, Math.PI * 2, 0, 16));
  }
  return paths;
}

/** A regular polygon with `sides`, first corner at angle `rotation`. */
export function regular(cx: number, cy: number, r: number, sides: number, rotation = 0): Point[] {
  return Array.from({ length: sides }, (_, i) => {
    const t = rotation + (i * 2 * Math.PI) / sides;
    return [cx + Math.cos(t) * r, cy + Math.sin(t) * r] as Point;
  });
}

/** Moves a path by (dx, dy). */
export function shift(path: Point[], dx: number, dy: number): Point[] {
  return path.map(([x, y]) => [x + dx, y + dy] as Point);
}
