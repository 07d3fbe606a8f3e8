/**
 * The demo catalogue's product pictures, drawn at seed time (nothing downloaded): one small vector
 * drawing per kind of product on a soft studio background, rasterised to PNG by ./raster.ts.
 */
import {
  arc,
  Canvas,
  circle,
  ellipse,
  hex,
  line,
  type Paint,
  type Point,
  type Rgb,
  rect,
  regular,
  roundRect,
  shade,
  stroke,
} from "./raster.ts";

const across = (from: Rgb, to: Rgb, x0: number, x1: number, y = 0): Paint => ({
  from,
  to,
  x0,
  y0: y,
  x1,
  y1: y,
});
const down = (from: Rgb, to: Rgb, y0: number, y1: number): Paint => ({ from, to, x0: 0, y0, x1: 0, y1 });
/** Lit from the left: light to dark across a cylinder from x0 to x1. */
const cylinder = (colour: Rgb, x0: number, x1: number): Paint =>
  across(shade(colour, 0.35), shade(colour, -0.3), x0, x1);

const zinc = hex("#a7b1bc");
const steel = hex("#9aa3ad");
const ink = hex("#2b2f36");

/** Parallelogram faces of an axis-aligned box seen from above-right: front, side, top. */
function box(
  c: Canvas,
  x: number,
  y: number,
  w: number,
  h: number,
  depth: number,
  colour: Rgb,
  options: { radius?: number } = {},
) {
  const dx = depth * 0.75;
  const dy = depth * 0.45;
  c.fill([rect(x, y, w, h)], down(colour, shade(colour, -0.08), y, y + h));
  c.fill(
    [
      [
        [x + w, y],
        [x + w + dx, y - dy],
        [x + w + dx, y + h - dy],
        [x + w, y + h],
      ],
    ],
    shade(colour, -0.22),
  );
  c.fill(
    [
      [
        [x, y],
        [x + dx, y - dy],
        [x + w + dx, y - dy],
        [x + w, y],
      ],
    ],
    shade(colour, 0.22),
  );
  if (options.radius) c.fill([rect(x, y + h - 0.6, w, 0.6)], shade(colour, -0.2));
}

function carton(colour: Rgb, w: number, h: number, depth: number, tape: Rgb) {
  return (c: Canvas) => {
    const x = 50 - (w + depth * 0.75) / 2;
    const y = 52 - h / 2 + depth * 0.22;
    c.shadow(52, y + h + 1, w * 0.62, 5);
    box(c, x, y, w, h, depth, colour);
    const dx = depth * 0.75;
    const dy = depth * 0.45;
    // The tape strip along the top's middle seam and down the front.
    const mid = x + w / 2;
    c.fill(
      [
        [
          [mid - 3, y],
          [mid - 3 + dx, y - dy],
          [mid + 3 + dx, y - dy],
          [mid + 3, y],
        ],
      ],
      shade(tape, 0.1),
      { opacity: 0.85 },
    );
    c.fill([rect(mid - 3, y, 6, h * 0.28)], tape, { opacity: 0.85 });
    c.fill([line(mid + dx * 0.02, y, mid + dx, y - dy, 0.35)], shade(colour, -0.35));
    // A shipping label.
    c.fill([rect(x + w * 0.12, y + h * 0.5, w * 0.26, h * 0.3)], hex("#f7f7f2"));
    for (let i = 0; i < 3; i++)
      c.fill([rect(x + w * 0.15, y + h * (0.56 + i * 0.07), w * 0.18, 0.9)], hex("#9097a0"));
  };
}

function tapeRoll(colour: Rgb, width: number) {
  return (c: Canvas) => {
    const [cx, cy, rx, ry] = [50, 44, 31, 18];
    c.shadow(50, cy + width + ry - 2, 34, 8);
    c.fill(
      [rect(cx - rx, cy, rx * 2, width), ellipse(cx, cy + width, rx, ry)],
      cylinder(colour, cx - rx, cx + rx),
    );
    c.fill([ellipse(cx, cy, rx, ry)], shade(colour, 0.18));
    for (let r = 0.62; r < 1; r += 0.09)
      c.fill([ellipse(cx, cy, rx * r, ry * r)], shade(colour, 0.08), { opacity: 0.5 });
    c.fill([ellipse(cx, cy, rx * 0.55, ry * 0.55)], hex("#b88a55"));
    c.fill([ellipse(cx, cy, rx * 0.47, ry * 0.47)], hex("#e4e8ee"));
    c.fill([ellipse(cx, cy + 2.5, rx * 0.47, ry * 0.4)], hex("#cdd3db"), { opacity: 0.6 });
    // The loose end hanging from the front.
    c.fill(
      [
        [
          [cx + 8, cy + ry + width - 1.5],
          [cx + 20, cy + ry * 0.75 + width - 1],
          [cx + 22, cy + ry * 0.75 + width + 9],
          [cx + 10, cy + ry + width + 8],
        ],
      ],
      shade(colour, 0.05),
      { opacity: 0.9 },
    );
  };
}

function pallet(colour: Rgb) {
  return (c: Canvas) => {
    c.shadow(50, 74, 44, 7);
    const top = 40;
    // Deck boards seen from above and in front.
    for (let i = 0; i < 5; i++) {
      const y = top - 16 + i * 3.6;
      const inset = (4 - i) * 2.2;
      c.fill([rect(8 + inset, y, 84 - inset * 1.5, 2.8)], shade(colour, 0.15 - i * 0.02));
    }
    c.fill([rect(8, top, 84, 5)], shade(colour, 0.05));
    for (const x of [8, 45, 82]) c.fill([rect(x, top + 5, 10, 12)], shade(colour, -0.18));
    for (const x of [8, 45, 82]) c.fill([rect(x + 1, top + 7, 8, 1)], shade(colour, -0.3), { opacity: 0.5 });
    c.fill([rect(8, top + 17, 84, 4.5)], shade(colour, -0.05));
    for (const x of [20, 34, 60, 74]) c.fill([rect(x, top, 0.6, 5)], shade(colour, -0.3), { opacity: 0.6 });
  };
}

function ream(band: Rgb, wrapper: Rgb) {
  return (c: Canvas) => {
    c.shadow(52, 71, 36, 6);
    box(c, 17, 46, 58, 22, 26, wrapper);
    c.fill([rect(17, 52, 58, 9)], band);
    c.fill([rect(22, 54.5, 14, 4)], hex("#ffffff"), { opacity: 0.9 });
    for (let i = 0; i < 3; i++) c.fill([rect(40 + i * 9, 56, 6, 1)], hex("#ffffff"), { opacity: 0.7 });
    // Sheet edges visible at the side.
    for (let i = 0; i < 7; i++) {
      const y = 48 + i * 2.8;
      c.fill([line(75, y, 94.5, y - 11.7, 0.25)], shade(wrapper, -0.35), { opacity: 0.4 });
    }
  };
}

function glove(coating: Rgb, liner: Rgb) {
  return (c: Canvas) => {
    c.shadow(50, 89, 22, 4);
    const fingers: [number, number, number][] = [
      [31, 22, 32],
      [41, 14, 38],
      [51, 12, 40],
      [61, 18, 34],
    ];
    for (const [x, y, h] of fingers) c.fill([roundRect(x, y, 9.5, h, 4.7)], cylinder(coating, x, x + 9.5));
    c.fill([roundRect(28, 40, 44, 34, 9)], down(shade(coating, 0.1), shade(coating, -0.1), 40, 74));
    const thumb: Point[] = roundRect(-6, -18, 12, 32, 6).map(([x, y]) => {
      const t = -0.7;
      return [70 + x * Math.cos(t) - y * Math.sin(t), 58 + x * Math.sin(t) + y * Math.cos(t)];
    });
    c.fill([thumb], cylinder(coating, 66, 84));
    c.fill([roundRect(31, 68, 38, 19, 3)], liner);
    for (let x = 33; x < 68; x += 2.4) c.fill([rect(x, 69, 0.7, 17)], shade(liner, -0.12));
    c.fill([rect(31, 68, 38, 1.5)], shade(coating, -0.2));
  };
}

const drawings = {
  "hex-bolt"(c: Canvas) {
    c.shadow(50, 88, 14, 3);
    c.fill([rect(42, 30, 16, 54)], cylinder(zinc, 42, 58));
    for (let y = 44; y < 82; y += 3)
      c.fill([line(42, y + 1.4, 58, y - 1.4, 0.9)], shade(zinc, -0.35), { opacity: 0.7 });
    c.fill(
      [
        [
          [42, 84],
          [58, 84],
          [56.5, 86.5],
          [43.5, 86.5],
        ],
      ],
      shade(zinc, -0.2),
    );
    c.fill([rect(30, 16, 40, 15)], shade(zinc, -0.25));
    c.fill([rect(38, 16, 24, 15)], cylinder(zinc, 38, 62));
    c.fill([rect(30, 16, 40, 1.2)], shade(zinc, 0.4));
    c.fill([rect(30, 30, 40, 1.5)], shade(zinc, -0.4));
  },
  "hex-nut"(c: Canvas) {
    const colour = hex("#b9c0c7");
    c.shadow(50, 74, 30, 6);
    c.fill([regular(50, 56, 31, 6, Math.PI / 6)], shade(colour, -0.35));
    c.fill(
      [regular(50, 50, 31, 6, Math.PI / 6), circle(50, 50, 12)],
      across(shade(colour, 0.3), shade(colour, -0.15), 20, 80, 30),
      {
        evenOdd: true,
      },
    );
    c.fill([circle(50, 50, 15), circle(50, 50, 12)], shade(colour, -0.25), { evenOdd: true });
    c.fill([arc(50, 56, 12, 12, Math.PI * 1.1, Math.PI * 1.9, 0, 16)], shade(colour, -0.45), {
      opacity: 0.8,
    });
  },
  washer(c: Canvas) {
    const colour = hex("#c3c9cf");
    c.shadow(50, 72, 32, 6);
    c.fill([ellipse(50, 54, 33, 26), ellipse(50, 54, 14, 11)], shade(colour, -0.35), { evenOdd: true });
    c.fill(
      [ellipse(50, 50, 33, 26), ellipse(50, 50, 14, 11)],
      across(shade(colour, 0.35), shade(colour, -0.15), 18, 82, 30),
      {
        evenOdd: true,
      },
    );
    c.fill([ellipse(50, 50, 17, 13.5), ellipse(50, 50, 14, 11)], shade(colour, 0.45), {
      evenOdd: true,
      opacity: 0.5,
    });
  },
  "wood-screw"(c: Canvas) {
    const colour = hex("#d4bd72");
    c.shadow(50, 90, 10, 3);
    c.fill(
      [
        [
          [44, 28],
          [56, 28],
          [56, 74],
          [50, 88],
          [44, 74],
        ],
      ],
      cylinder(colour, 44, 56),
    );
    for (let y = 34; y < 82; y += 3.4) c.fill([line(41, y + 2.2, 59, y - 2.2, 1.1)], shade(colour, -0.25));
    c.fill(
      [
        [
          [34, 18],
          [66, 18],
          [56, 30],
          [44, 30],
        ],
      ],
      cylinder(colour, 34, 66),
    );
    c.fill([rect(34, 16, 32, 2.5)], shade(colour, 0.25));
  },
  "wall-plug"(c: Canvas) {
    const colour = hex("#d9dde3");
    c.shadow(50, 86, 12, 3);
    c.fill([roundRect(42, 24, 16, 58, 3)], cylinder(colour, 42, 58));
    for (let y = 32; y < 76; y += 6) {
      c.fill(
        [
          [
            [40, y + 4],
            [60, y + 4],
            [58, y],
            [42, y],
          ],
        ],
        cylinder(shade(colour, -0.05), 40, 60),
      );
    }
    c.fill([rect(49.3, 48, 1.4, 34)], shade(colour, -0.45));
    c.fill([roundRect(36, 18, 28, 7, 2)], cylinder(colour, 36, 64));
  },
  "threaded-rod"(c: Canvas) {
    c.shadow(50, 82, 40, 4);
    const [x0, y0, x1, y1] = [14, 78, 86, 22];
    c.fill([line(x0, y0, x1, y1, 9)], {
      from: shade(zinc, 0.4),
      to: shade(zinc, -0.3),
      x0: 47.3,
      y0: 46.5,
      x1: 52.7,
      y1: 53.5,
    });
    const len = Math.hypot(x1 - x0, y1 - y0);
    const [ux, uy] = [(x1 - x0) / len, (y1 - y0) / len];
    for (let t = 2; t < len - 1; t += 2.2) {
      const [px, py] = [x0 + ux * t, y0 + uy * t];
      c.fill(
        [line(px - uy * 4.6, py + ux * 4.6, px + uy * 4.6 + ux * 0.9, py - ux * 4.6 + uy * 0.9, 0.6)],
        shade(zinc, -0.35),
        {
          opacity: 0.8,
        },
      );
    }
  },
  drill(c: Canvas) {
    const body = hex("#1f7a8c");
    c.shadow(52, 86, 26, 4);
    c.fill([roundRect(36, 70, 36, 14, 3)], ink);
    c.fill([rect(38, 72, 32, 2)], hex("#3d434c"));
    c.fill(
      [
        [
          [50, 44],
          [64, 44],
          [66, 72],
          [46, 72],
        ],
      ],
      down(shade(ink, 0.1), ink, 44, 72),
    );
    c.fill([roundRect(30, 26, 48, 22, 10)], down(shade(body, 0.25), shade(body, -0.2), 26, 48));
    c.fill([rect(18, 31, 13, 12)], cylinder(steel, 18, 31));
    c.fill([rect(10, 35, 9, 4)], hex("#6d757f"));
    c.fill([roundRect(47, 46, 5, 8, 2)], hex("#c2410c"));
    c.fill([roundRect(58, 30, 16, 6, 3)], shade(body, 0.4), { opacity: 0.5 });
  },
  "angle-grinder"(c: Canvas) {
    const body = hex("#2f6db5");
    c.shadow(55, 82, 38, 5);
    c.fill([roundRect(36, 40, 54, 18, 8)], down(shade(body, 0.25), shade(body, -0.25), 40, 58));
    for (let x = 70; x < 86; x += 3) c.fill([rect(x, 44, 1.2, 10)], shade(body, -0.4));
    c.fill([roundRect(20, 36, 20, 26, 3)], down(shade(steel, 0.2), shade(steel, -0.2), 36, 62));
    c.fill([rect(26, 26, 6, 11)], ink);
    c.fill([ellipse(30, 70, 24, 4)], hex("#50565e"));
    c.fill([arc(30, 66, 24, 8, Math.PI, Math.PI * 2, 0, 24)], steel);
    c.fill([rect(27, 62, 6, 6)], hex("#5b626b"));
  },
  "torque-wrench"(c: Canvas) {
    c.shadow(50, 80, 38, 4);
    c.fill([line(22, 76, 70, 30, 7)], across(shade(steel, 0.4), shade(steel, -0.2), 44, 50, 50));
    c.fill([line(14, 84, 30, 68, 9.5)], ink);
    c.fill([circle(76, 24, 10)], cylinder(steel, 66, 86));
    c.fill([rect(72.5, 20.5, 7, 7)], hex("#4d545c"));
    c.fill([line(40, 59, 50, 49.5, 3.2)], hex("#f3f4f6"));
    for (let i = 0; i < 5; i++) c.fill([line(41 + i * 2, 57 - i * 1.9, 42 + i * 2, 58 - i * 1.9, 0.5)], ink);
  },
  "tape-measure"(c: Canvas) {
    const yellow = hex("#f2b705");
    c.shadow(46, 80, 28, 5);
    c.fill([rect(56, 62, 36, 6)], down(hex("#fff3b0"), hex("#e9d26a"), 62, 68));
    for (let x = 58; x < 92; x += 2) c.fill([rect(x, 62, 0.4, x % 10 === 0 ? 3.5 : 2)], ink);
    c.fill([rect(90, 60, 2, 10)], steel);
    c.fill([roundRect(18, 30, 42, 42, 10)], down(shade(yellow, 0.15), shade(yellow, -0.15), 30, 72));
    c.fill([circle(39, 51, 13)], ink);
    c.fill([circle(39, 51, 9)], hex("#3d434c"));
    c.fill([roundRect(44, 28, 12, 5, 2)], ink);
  },
  "nitrile-glove": glove(hex("#23408e"), hex("#c8ccd2")),
  "cut-glove": glove(hex("#3a3f47"), hex("#8fa3b8")),
  helmet(c: Canvas) {
    const yellow = hex("#f2b705");
    c.shadow(50, 76, 38, 6);
    c.fill([ellipse(50, 66, 40, 9)], shade(yellow, -0.2));
    c.fill(
      [[...arc(50, 64, 30, 38, Math.PI, Math.PI * 2, 0, 40)]],
      across(shade(yellow, 0.35), shade(yellow, -0.25), 20, 80, 40),
    );
    c.fill([[...arc(50, 64, 6, 38, Math.PI, Math.PI * 2, 0, 20)]], shade(yellow, 0.2));
    c.fill([ellipse(50, 64, 30, 4)], shade(yellow, -0.3), { opacity: 0.5 });
  },
  "safety-glasses"(c: Canvas) {
    const lens = hex("#bfe0f2");
    c.shadow(50, 72, 38, 5);
    c.fill(
      stroke(
        [
          [14, 48],
          [6, 44],
          [4, 60],
        ],
        2.5,
      ),
      ink,
    );
    c.fill(
      stroke(
        [
          [86, 48],
          [94, 44],
          [96, 60],
        ],
        2.5,
      ),
      ink,
    );
    c.fill([roundRect(12, 40, 36, 28, 11), roundRect(52, 40, 36, 28, 11)], lens, { opacity: 0.75 });
    c.fill([roundRect(12, 40, 76, 6, 3)], ink);
    c.fill(
      [
        [
          [46, 44],
          [54, 44],
          [52, 54],
          [48, 54],
        ],
      ],
      ink,
    );
    c.fill([line(20, 56, 30, 46, 2.5), line(60, 56, 70, 46, 2.5)], hex("#ffffff"), { opacity: 0.7 });
  },
  "hi-vis-vest"(c: Canvas) {
    const yellow = hex("#e7f43a");
    const silver = hex("#c9ced6");
    c.shadow(50, 90, 30, 4);
    c.fill(
      [
        [
          [30, 14],
          [42, 14],
          [50, 40],
          [58, 14],
          [70, 14],
          [74, 34],
          [80, 40],
          [80, 86],
          [20, 86],
          [20, 40],
          [26, 34],
        ],
      ],
      down(shade(yellow, 0.1), shade(yellow, -0.12), 14, 86),
    );
    for (const y of [56, 70]) c.fill([rect(20, y, 60, 6)], down(shade(silver, 0.3), silver, y, y + 6));
    c.fill([rect(33, 14, 6, 28), rect(61, 14, 6, 28)], silver);
    c.fill([rect(49.6, 40, 0.8, 46)], shade(yellow, -0.4));
  },
  "ear-defenders"(c: Canvas) {
    const red = hex("#c0392b");
    c.shadow(50, 80, 36, 5);
    c.fill(
      [
        [
          ...arc(50, 56, 32, 38, Math.PI, Math.PI * 2, 0, 40),
          ...arc(50, 56, 26, 32, Math.PI * 2, Math.PI, 0, 40),
        ],
      ],
      ink,
    );
    for (const x of [18, 82]) {
      c.fill([roundRect(x - 11, 46, 22, 30, 10)], cylinder(red, x - 11, x + 11));
      c.fill([roundRect(x - 8, 50, 16, 22, 7)], shade(red, 0.15), { opacity: 0.5 });
    }
  },
  "din-rail-psu"(c: Canvas) {
    const body = hex("#dfe3e8");
    c.shadow(50, 84, 36, 5);
    c.fill([rect(4, 48, 92, 8)], cylinder(steel, 4, 96));
    box(c, 22, 20, 50, 62, 14, body);
    for (let i = 0; i < 5; i++) {
      c.fill([rect(25 + i * 9.4, 23, 7.5, 7.5)], hex("#5f6770"));
      c.fill([circle(28.75 + i * 9.4, 26.75, 2.5)], steel);
      c.fill([line(27 + i * 9.4, 28.5, 30.5 + i * 9.4, 25, 0.7)], ink);
    }
    c.fill([rect(28, 38, 38, 24)], hex("#c9ced6"));
    c.fill([rect(30, 41, 20, 2.2), rect(30, 46, 28, 1.2), rect(30, 49, 24, 1.2)], hex("#6b7480"));
    c.fill([circle(62, 70, 2)], hex("#22c55e"));
    for (let y = 66; y < 78; y += 3) c.fill([rect(28, y, 24, 1.2)], hex("#9aa3ad"));
  },
  "terminal-block"(c: Canvas) {
    const grey = hex("#b8bec6");
    c.shadow(50, 84, 40, 5);
    c.fill([rect(6, 58, 88, 8)], cylinder(steel, 6, 94));
    for (let i = 0; i < 6; i++) {
      const x = 16 + i * 11.5;
      const colour = i === 5 ? hex("#3b82c4") : grey;
      c.fill(
        [
          [
            [x, 24],
            [x + 10, 24],
            [x + 10, 80],
            [x, 80],
          ],
        ],
        cylinder(colour, x, x + 10),
      );
      for (const y of [32, 70]) {
        c.fill([circle(x + 5, y, 3.4)], hex("#8a929c"));
        c.fill([line(x + 2.8, y, x + 7.2, y, 1)], ink);
      }
      c.fill([rect(x + 2.5, 42, 5, 5), rect(x + 2.5, 56, 5, 5)], shade(colour, -0.55));
    }
  },
  "pin-header"(c: Canvas) {
    const gold = hex("#d4a53c");
    c.shadow(50, 78, 40, 4);
    for (let i = 0; i < 14; i++) {
      const x = 13 + i * 5.4;
      c.fill(
        [rect(x, 26, 1.6, 26), rect(x, 58, 1.6, 14)],
        across(shade(gold, 0.35), shade(gold, -0.2), x, x + 1.6),
      );
    }
    c.fill([roundRect(10, 50, 80, 9, 1)], down(hex("#3a3f47"), hex("#16191d"), 50, 59));
    for (let i = 1; i < 14; i++)
      c.fill([rect(10 + i * 5.4 + 0.5, 50, 0.4, 9)], hex("#000000"), { opacity: 0.5 });
  },
  "resistor-kit"(c: Canvas) {
    const blue = hex("#5d9fd6");
    c.shadow(50, 80, 40, 4);
    const bands = [hex("#7b4a2a"), ink, hex("#d32f2f"), hex("#7b4a2a"), hex("#c9a227")];
    for (const [dy, dx] of [
      [-12, -4],
      [8, 4],
    ] as const) {
      const cy = 50 + dy;
      c.fill([rect(6 + dx, cy - 0.8, 88, 1.6)], across(shade(steel, 0.3), steel, 0, 100));
      c.fill(
        [ellipse(34 + dx, cy, 7, 7.5), ellipse(66 + dx, cy, 7, 7.5), rect(34 + dx, cy - 5.5, 32, 11)],
        down(shade(blue, 0.35), shade(blue, -0.25), cy - 7.5, cy + 7.5),
      );
      bands.forEach((band, i) => {
        c.fill([rect(34 + dx + i * 6.4 - (i === 4 ? -2 : 0), cy - 5.5, 2.6, 11)], band);
      });
    }
  },
  "capacitor-reel"(c: Canvas) {
    const reel = hex("#1d4f91");
    c.shadow(50, 88, 34, 5);
    c.fill([circle(50, 48, 36), circle(50, 48, 8)], down(shade(reel, 0.25), shade(reel, -0.15), 12, 84), {
      evenOdd: true,
      opacity: 0.9,
    });
    for (let i = 0; i < 3; i++) {
      const t = -Math.PI / 2 + (i * 2 * Math.PI) / 3;
      c.fill([circle(50 + Math.cos(t) * 20, 48 + Math.sin(t) * 20, 7.5)], hex("#e8edf3"), { opacity: 0.85 });
    }
    c.fill([circle(50, 48, 28), circle(50, 48, 26)], hex("#f0e6c8"), { evenOdd: true, opacity: 0.9 });
    c.fill([circle(50, 48, 10), circle(50, 48, 8)], hex("#e8edf3"), { evenOdd: true });
    c.fill(
      [
        [
          [70, 70],
          [96, 78],
          [94, 84],
          [68, 76],
        ],
      ],
      hex("#f0e6c8"),
    );
    for (let i = 0; i < 5; i++) c.fill([rect(73 + i * 4.6, 73.5 + i * 1.4, 2, 2)], hex("#8c6d46"));
  },
  "shipping-carton": carton(hex("#c69c6d"), 52, 34, 30, hex("#a77a4a")),
  "heavy-carton": carton(hex("#b98b59"), 46, 44, 34, hex("#8a6034")),
  "archive-box": carton(hex("#eef0f2"), 54, 26, 24, hex("#2f6db5")),
  "mailer-box"(c: Canvas) {
    const kraft = hex("#c9a06b");
    c.shadow(52, 74, 38, 6);
    box(c, 16, 52, 62, 18, 34, kraft);
    c.fill(
      [
        [
          [16, 52],
          [41.5, 36.7],
          [41.5, 40.2],
          [16, 55.5],
        ],
      ],
      shade(kraft, -0.15),
    );
    c.fill([rect(42, 58, 12, 2.5)], shade(kraft, -0.3));
    c.fill([line(16, 52, 78, 52, 0.5)], shade(kraft, -0.35));
  },
  "packing-tape": tapeRoll(hex("#b7793e"), 12),
  "masking-tape": tapeRoll(hex("#e6d9a8"), 9),
  "euro-pallet": pallet(hex("#d9b77e")),
  "plastic-pallet": pallet(hex("#2f6db5")),
  "stretch-film"(c: Canvas) {
    const film = hex("#cfe3ee");
    c.shadow(50, 76, 38, 5);
    c.fill(
      [rect(20, 32, 56, 36), ellipse(20, 50, 7, 18)],
      across(shade(film, 0.3), shade(film, -0.12), 0, 0, 32),
      {
        opacity: 0.95,
      },
    );
    c.fill([rect(20, 36, 56, 4)], hex("#ffffff"), { opacity: 0.6 });
    c.fill([ellipse(76, 50, 7, 18)], shade(film, 0.1));
    c.fill([ellipse(76, 50, 3.5, 8), ellipse(76, 50, 2.6, 6)], hex("#a47b4b"), { evenOdd: true });
    c.fill([ellipse(76, 50, 2.6, 6)], hex("#6b5234"));
    c.fill(
      [
        [
          [30, 68],
          [44, 68],
          [48, 84],
          [26, 84],
        ],
      ],
      film,
      { opacity: 0.75 },
    );
  },
  "copy-paper": ream(hex("#2f6db5"), hex("#f4f5f7")),
  "copy-paper-a3": ream(hex("#b0413e"), hex("#f4f5f7")),
  "recycled-paper": ream(hex("#3f8f4f"), hex("#ebe8df")),
  "paper-cup"(c: Canvas) {
    const white = hex("#f7f7f5");
    const sleeve = hex("#b88a55");
    c.shadow(50, 86, 20, 4);
    c.fill(
      [
        [
          [30, 24],
          [70, 24],
          [63, 84],
          [37, 84],
        ],
      ],
      cylinder(white, 30, 70),
    );
    c.fill(
      [
        [
          [32.4, 42],
          [67.6, 42],
          [65.1, 66],
          [34.9, 66],
        ],
      ],
      cylinder(sleeve, 32, 68),
    );
    c.fill([ellipse(50, 84, 13, 2.5)], shade(white, -0.15));
    c.fill([roundRect(27, 16, 46, 9, 3)], cylinder(hex("#3a2e25"), 27, 73));
    c.fill([ellipse(50, 17, 20, 3.5)], hex("#4d3f33"));
    c.fill([circle(50, 52, 5)], shade(sleeve, -0.3), { opacity: 0.6 });
  },
  "bagasse-clamshell"(c: Canvas) {
    const fibre = hex("#e9e1cf");
    c.shadow(52, 80, 38, 6);
    box(c, 16, 60, 60, 14, 34, shade(fibre, -0.04));
    box(c, 16, 46, 60, 14, 34, fibre);
    c.fill([rect(16, 59.4, 60, 1.2)], shade(fibre, -0.3));
    c.fill([roundRect(40, 57, 12, 6, 2)], shade(fibre, -0.12));
    for (let x = 24; x < 70; x += 11) c.fill([rect(x, 49, 0.6, 8)], shade(fibre, -0.1));
  },
  "wooden-forks"(c: Canvas) {
    const birch = hex("#e3c99a");
    c.shadow(50, 84, 34, 4);
    for (const [angle, dx] of [
      [-0.32, -8],
      [0.32, 8],
    ] as const) {
      const paths: Point[][] = [roundRect(-4, -2, 8, 44, 4), roundRect(-8, -30, 16, 30, 4)];
      const rotated = paths.map((path) =>
        path.map(
          ([x, y]) =>
            [
              50 + dx + x * Math.cos(angle) - y * Math.sin(angle),
              50 + x * Math.sin(angle) + y * Math.cos(angle),
            ] as Point,
        ),
      );
      c.fill(rotated, across(shade(birch, 0.2), shade(birch, -0.15), 30, 70, 50));
      for (let i = 1; i < 4; i++) {
        const x = -8 + i * 4;
        const slot = rect(x - 0.8, -30, 1.6, 16).map(
          ([px, py]) =>
            [
              50 + dx + px * Math.cos(angle) - py * Math.sin(angle),
              50 + px * Math.sin(angle) + py * Math.cos(angle),
            ] as Point,
        );
        c.fill([slot], hex("#eef1f4"));
      }
    }
  },
  "soap-canister"(c: Canvas) {
    const hdpe = hex("#f1f3f5");
    c.shadow(50, 88, 28, 5);
    c.fill([roundRect(24, 28, 52, 58, 6)], cylinder(hdpe, 24, 76));
    c.fill([roundRect(52, 16, 22, 16, 5), roundRect(57, 20, 12, 7, 3)], shade(hdpe, -0.08), {
      evenOdd: true,
    });
    c.fill([rect(30, 18, 12, 10)], hex("#2e8b57"));
    c.fill([rect(30, 46, 40, 28)], hex("#2e8b57"));
    c.fill([circle(40, 60, 6)], hex("#ffffff"), { opacity: 0.85 });
    c.fill([rect(50, 56, 16, 2), rect(50, 61, 12, 1.4)], hex("#ffffff"), { opacity: 0.85 });
  },
  "hand-towels"(c: Canvas) {
    const white = hex("#fbfbfa");
    c.shadow(50, 80, 38, 6);
    for (let i = 0; i < 6; i++) {
      const y = 70 - i * 6;
      box(c, 16, y, 56, 5, 28, shade(white, -0.02 * (i % 2)));
      c.fill([rect(16, y + 4.6, 56, 0.4)], hex("#c6ccd3"));
    }
    c.fill(
      [
        [
          [30, 40],
          [51, 27.4],
          [51.6, 27.4],
          [30.6, 40],
        ],
      ],
      hex("#c6ccd3"),
    );
    c.fill([rect(16, 52, 56, 9)], hex("#3b82c4"), { opacity: 0.85 });
  },
  "microfibre-cloths"(c: Canvas) {
    c.shadow(50, 82, 36, 6);
    const colours = ["#f2c230", "#3fa34d", "#e5677a", "#2f7fd1"].map(hex);
    colours.forEach((colour, i) => {
      const y = 64 - i * 9;
      box(c, 18 + i * 1.5, y, 52, 8, 30, colour);
      for (let x = 22; x < 68; x += 3)
        c.fill([rect(x + i * 1.5, y + 1, 0.5, 6)], shade(colour, -0.15), { opacity: 0.5 });
    });
  },
  "disinfectant-spray"(c: Canvas) {
    const bottle = hex("#eaf4fb");
    const head = hex("#1f6fb2");
    c.shadow(48, 90, 18, 4);
    c.fill([roundRect(34, 38, 28, 50, 8)], cylinder(bottle, 34, 62));
    c.fill([roundRect(36, 56, 24, 30, 6)], hex("#8fd3f4"), { opacity: 0.55 });
    c.fill([rect(34, 48, 28, 18)], hex("#ffffff"));
    c.fill([rect(36, 52, 20, 2.4), rect(36, 57, 14, 1.4)], head);
    c.fill([rect(42, 30, 12, 9)], shade(head, -0.1));
    c.fill(
      [
        [
          [38, 14],
          [62, 14],
          [68, 18],
          [68, 24],
          [56, 24],
          [54, 31],
          [40, 31],
        ],
      ],
      head,
    );
    c.fill(
      [
        [
          [50, 24],
          [56, 24],
          [60, 42],
          [55, 43],
        ],
      ],
      shade(head, -0.2),
    );
  },
  "task-chair"(c: Canvas) {
    const mesh = hex("#2f343b");
    c.shadow(50, 90, 34, 5);
    c.fill([roundRect(30, 8, 40, 40, 10)], down(shade(mesh, 0.2), mesh, 8, 48));
    for (let x = 34; x < 68; x += 3) c.fill([rect(x, 11, 0.5, 34)], hex("#4a515a"), { opacity: 0.6 });
    c.fill([rect(47, 46, 6, 10)], ink);
    c.fill([roundRect(24, 54, 52, 11, 5)], down(hex("#3d434c"), hex("#1c1f24"), 54, 65));
    c.fill([roundRect(18, 40, 5, 18, 2), roundRect(77, 40, 5, 18, 2)], ink);
    c.fill([rect(47.5, 65, 5, 14)], cylinder(steel, 47.5, 52.5));
    c.fill(
      stroke(
        [
          [50, 79],
          [16, 84],
        ],
        3,
      ).concat(
        stroke(
          [
            [50, 79],
            [84, 84],
          ],
          3,
        ),
        stroke(
          [
            [50, 79],
            [50, 86],
          ],
          3,
        ),
      ),
      ink,
    );
    for (const [x, y] of [
      [16, 86],
      [84, 86],
      [50, 88],
    ] as const)
      c.fill([circle(x, y, 3)], hex("#4a515a"));
  },
  "standing-desk"(c: Canvas) {
    const oak = hex("#cfa775");
    c.shadow(50, 84, 44, 5);
    c.fill(
      [
        [
          [10, 34],
          [88, 34],
          [96, 28],
          [18, 28],
        ],
      ],
      shade(oak, 0.15),
    );
    c.fill([rect(10, 34, 78, 4)], shade(oak, -0.15));
    for (const x of [20, 74]) {
      c.fill([rect(x, 38, 6, 18)], cylinder(hex("#e5e7ea"), x, x + 6));
      c.fill([rect(x + 0.8, 56, 4.4, 24)], cylinder(hex("#cfd3d8"), x, x + 6));
      c.fill([roundRect(x - 9, 79, 24, 3.5, 1.5)], hex("#d1d5da"));
    }
    c.fill([rect(26, 40, 48, 3)], hex("#c2c7cd"));
    c.fill([roundRect(62, 38, 10, 3, 1)], ink);
  },
  "filing-cabinet"(c: Canvas) {
    const grey = hex("#c5cad0");
    c.shadow(54, 92, 28, 4);
    box(c, 30, 14, 36, 76, 14, grey);
    for (let i = 0; i < 4; i++) {
      const y = 16 + i * 18.5;
      c.fill([rect(32, y, 32, 17)], down(shade(grey, 0.12), shade(grey, -0.04), y, y + 17));
      c.fill([roundRect(42, y + 8, 12, 3, 1.2)], hex("#5b626b"));
      c.fill([rect(44, y + 3, 8, 3.5)], hex("#f4f5f7"));
    }
    c.fill([circle(60, 18, 1.2)], hex("#6b7480"));
  },
  blender(c: Canvas) {
    c.shadow(50, 90, 24, 4);
    c.fill(
      [
        [
          [30, 64],
          [70, 64],
          [74, 88],
          [26, 88],
        ],
      ],
      down(hex("#3d434c"), ink, 64, 88),
    );
    c.fill([circle(50, 77, 4)], hex("#9aa3ad"));
    c.fill([rect(40, 80, 4, 2), rect(56, 80, 4, 2)], hex("#22c55e"));
    c.fill(
      [
        [
          [30, 16],
          [66, 16],
          [62, 64],
          [36, 64],
        ],
      ],
      across(hex("#f3f8fc"), hex("#c9dbe8"), 30, 66, 40),
      { opacity: 0.85 },
    );
    c.fill(
      [
        [
          [36, 44],
          [63.6, 44],
          [62, 64],
          [37.6, 64],
        ],
      ],
      hex("#b5d86a"),
      { opacity: 0.75 },
    );
    c.fill([roundRect(28, 12, 40, 6, 2)], ink);
    c.fill(
      stroke(
        [
          [66, 22],
          [76, 24],
          [74, 52],
          [63, 54],
        ],
        4,
      ),
      hex("#3d434c"),
    );
    for (let y = 24; y < 60; y += 8) c.fill([rect(34, y, 5, 0.6)], hex("#7d8894"));
  },
  "induction-hob"(c: Canvas) {
    c.shadow(50, 78, 42, 6);
    c.fill(
      [
        [
          [10, 70],
          [90, 70],
          [80, 34],
          [20, 34],
        ],
      ],
      down(hex("#3a3f47"), hex("#15181c"), 34, 70),
    );
    c.fill([rect(10, 70, 80, 4)], cylinder(steel, 10, 90));
    c.fill([ellipse(50, 50, 22, 10), ellipse(50, 50, 21, 9.3)], hex("#c9ced6"), {
      evenOdd: true,
      opacity: 0.7,
    });
    c.fill([ellipse(50, 50, 13, 6), ellipse(50, 50, 12.4, 5.5)], hex("#c9ced6"), {
      evenOdd: true,
      opacity: 0.4,
    });
    for (let i = 0; i < 5; i++)
      c.fill([ellipse(32 + i * 9, 65, 2, 1)], i === 2 ? hex("#ef4444") : hex("#9aa3ad"));
  },
  "convection-oven"(c: Canvas) {
    const stainless = hex("#c9ced4");
    c.shadow(52, 86, 42, 5);
    box(c, 10, 24, 76, 58, 12, stainless);
    c.fill([rect(14, 28, 52, 50)], down(hex("#3a3f47"), hex("#1b1e22"), 28, 78));
    for (let y = 38; y < 74; y += 9) c.fill([rect(18, y, 44, 0.8)], hex("#7d8894"), { opacity: 0.8 });
    c.fill([rect(14, 30, 52, 3)], hex("#ffffff"), { opacity: 0.08 });
    c.fill([roundRect(60, 32, 3, 42, 1.5)], hex("#e5e7ea"));
    c.fill([rect(68, 28, 15, 50)], shade(stainless, -0.06));
    c.fill([rect(70, 31, 11, 6)], hex("#0f172a"));
    c.fill([rect(72, 33, 7, 2)], hex("#f97316"));
    for (const y of [46, 58]) {
      c.fill([circle(75.5, y, 4.5)], ink);
      c.fill([line(75.5, y - 3.5, 75.5, y - 1, 1)], hex("#e5e7ea"));
    }
  },
} satisfies Record<string, (c: Canvas) => void>;

export type ProductKind = keyof typeof drawings;
export const productKinds = Object.keys(drawings) as ProductKind[];

/** The product picture of `kind`, `size` pixels square, as PNG bytes. */
export function productImage(kind: ProductKind, size = 640): Buffer {
  return drawn(kind, size).png();
}

/** The drawn canvas (a contact sheet of every kind is drawn from these). */
export function drawn(kind: ProductKind, size = 640): Canvas {
  const canvas = new Canvas(size, down(hex("#f8f9fb"), hex("#e6eaf0"), 0, 100));
  drawings[kind](canvas);
  return canvas;
}
