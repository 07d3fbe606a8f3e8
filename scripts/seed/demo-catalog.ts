/**
 * The dev demo catalogue: real-looking B2B goods from the demo sellers, priced per unit in EUR with
 * volume tiers, order quantities that match how each product is packed, and a drawing per product kind
 * (./drawings.ts). Every attribute is one its category defines (drizzle/0003_seed_categories.sql), and
 * every listing passes the API's own listing rules (test/node/demo-data.test.ts checks both).
 */
import type { ProductKind } from "./drawings.ts";

export const ACME = "00000000-0000-4000-8000-00000000c001";
export const BALTIC = "00000000-0000-4000-8000-00000000c002";
export const RHINE = "00000000-0000-4000-8000-00000000c003";

type Attributes = Record<string, string | number | boolean>;

export interface DemoListing {
  seller: string;
  category: string;
  kind: ProductKind;
  title: string;
  description: string;
  status: "published" | "draft" | "pending_review" | "rejected";
  rejectionReason?: string;
  currency: "EUR";
  /** [from quantity, unit price in cents]: the first starts at the minimum order quantity. */
  tiers: [number, number][];
  orderIncrement: number;
  leadTimeDays: number;
  attributes: Attributes;
  variants: { sku: string; attributes?: Attributes; stock: number; weightGrams: number }[];
  /** Published this many days before the seed ran (the storefront's "newest" order). */
  ageDays: number;
}

type Draft = Omit<DemoListing, "status" | "currency" | "ageDays"> & Partial<Pick<DemoListing, "status">>;

const acme: Draft[] = [
  {
    seller: ACME,
    category: "fasteners",
    kind: "hex-bolt",
    title: "Hex bolt DIN 933, steel 8.8 zinc-plated, M8",
    description:
      "Fully threaded hexagon head bolts to DIN 933 / ISO 4017, property class 8.8, bright zinc-plated for indoor and sheltered use. 13 mm across flats. Sold per piece in boxes of 100; mixed lengths can share one box price tier.",
    tiers: [
      [100, 11],
      [1000, 9],
      [5000, 7],
    ],
    orderIncrement: 100,
    leadTimeDays: 2,
    attributes: { material: "zinc-plated", thread: "M8" },
    variants: [
      { sku: "DIN933-M8X30-ZP", attributes: { length_mm: 30 }, stock: 42_000, weightGrams: 17 },
      { sku: "DIN933-M8X40-ZP", attributes: { length_mm: 40 }, stock: 36_500, weightGrams: 21 },
      { sku: "DIN933-M8X60-ZP", attributes: { length_mm: 60 }, stock: 18_200, weightGrams: 29 },
    ],
  },
  {
    seller: ACME,
    category: "fasteners",
    kind: "hex-nut",
    title: "Hex nut DIN 934, stainless steel A2, M8",
    description:
      "Hexagon full nuts to DIN 934 / ISO 4032 in A2-70 stainless steel (1.4301): corrosion-resistant for outdoor, food and washdown areas. 13 mm across flats, 6.5 mm high. Packed in boxes of 200.",
    tiers: [
      [200, 6],
      [2000, 5],
      [10000, 4],
    ],
    orderIncrement: 200,
    leadTimeDays: 2,
    attributes: { material: "stainless-steel", thread: "M8" },
    variants: [{ sku: "DIN934-M8-A2", stock: 64_000, weightGrams: 5 }],
  },
  {
    seller: ACME,
    category: "fasteners",
    kind: "washer",
    title: "Flat washer DIN 125-A, stainless steel A2, M8 (8.4 mm)",
    description:
      "Plain washers to DIN 125 form A / ISO 7089 for M8 bolts and screws: 8.4 mm bore, 16 mm outside diameter, 1.6 mm thick. A2 stainless steel, 200 HV. Packed in boxes of 500.",
    tiers: [
      [500, 3],
      [5000, 2],
    ],
    orderIncrement: 500,
    leadTimeDays: 2,
    attributes: { material: "stainless-steel", thread: "M8" },
    variants: [{ sku: "DIN125-M8-A2", stock: 120_000, weightGrams: 2 }],
  },
  {
    seller: ACME,
    category: "fasteners",
    kind: "wood-screw",
    title: "Chipboard screw 4.0 mm, countersunk Torx TX20, yellow zinc",
    description:
      "Hardened carbon-steel chipboard and wood screws with a countersunk head, TX20 drive and a sharp 4CUT-style point that starts without pre-drilling. Partial thread from 40 mm. Yellow-zinc passivated. Boxes of 200.",
    tiers: [
      [200, 4],
      [2000, 3],
    ],
    orderIncrement: 200,
    leadTimeDays: 2,
    attributes: { material: "zinc-plated", thread: "4.0 mm wood thread" },
    variants: [
      { sku: "CS-4.0X30-TX20-YZ", attributes: { length_mm: 30 }, stock: 80_000, weightGrams: 3 },
      { sku: "CS-4.0X40-TX20-YZ", attributes: { length_mm: 40 }, stock: 96_000, weightGrams: 4 },
      { sku: "CS-4.0X50-TX20-YZ", attributes: { length_mm: 50 }, stock: 54_000, weightGrams: 5 },
    ],
  },
  {
    seller: ACME,
    category: "fasteners",
    kind: "wall-plug",
    title: "Nylon wall plug 8 × 40 mm, with anti-rotation wings",
    description:
      "Expansion plugs in polyamide 6 for concrete, solid brick and stone; the wings stop the plug turning while the screw is driven. Drill 8 mm, use with 4.5–6 mm wood or chipboard screws. Boxes of 100.",
    tiers: [
      [100, 4],
      [1000, 3],
    ],
    orderIncrement: 100,
    leadTimeDays: 3,
    attributes: { material: "nylon", length_mm: 40 },
    variants: [{ sku: "PLUG-8X40-PA6", stock: 58_000, weightGrams: 1 }],
  },
  {
    seller: ACME,
    category: "fasteners",
    kind: "threaded-rod",
    title: "Threaded rod DIN 976, steel 4.8 zinc-plated, M10 × 1 m",
    description:
      "Studding to DIN 976-1 form A, metric coarse thread over the full length, zinc-plated steel class 4.8. Cut to length on site for suspension, anchoring and pipe supports. Bundles of 10 rods.",
    tiers: [
      [10, 185],
      [100, 162],
      [500, 148],
    ],
    orderIncrement: 10,
    leadTimeDays: 3,
    attributes: { material: "zinc-plated", thread: "M10", length_mm: 1000 },
    variants: [{ sku: "DIN976-M10X1000-ZP", stock: 2_400, weightGrams: 480 }],
  },
  {
    seller: ACME,
    category: "tools",
    kind: "drill",
    title: "Cordless drill driver 18 V, 2 × 2.0 Ah batteries, in case",
    description:
      "Two-speed brushless drill driver with 13 mm keyless metal chuck, 60 Nm hard torque and 21 clutch settings. Supplied with two 2.0 Ah Li-ion batteries, a 45-minute charger and a carry case. 1.4 kg with battery.",
    tiers: [
      [1, 12900],
      [5, 11900],
      [20, 10900],
    ],
    orderIncrement: 1,
    leadTimeDays: 3,
    attributes: { power_source: "cordless", voltage: 18 },
    variants: [{ sku: "DD18-BL-2X2AH", stock: 85, weightGrams: 3_900 }],
  },
  {
    seller: ACME,
    category: "tools",
    kind: "angle-grinder",
    title: "Angle grinder 125 mm, 1,200 W, with restart protection",
    description:
      "Corded 125 mm angle grinder, 11,500 rpm no-load speed, slim grip, restart protection and a tool-free adjustable guard. M14 spindle. Comes with side handle, flange and two-pin spanner.",
    tiers: [
      [1, 7900],
      [5, 7400],
      [20, 6900],
    ],
    orderIncrement: 1,
    leadTimeDays: 3,
    attributes: { power_source: "corded", voltage: 230 },
    variants: [{ sku: "AG125-1200", stock: 140, weightGrams: 2_600 }],
  },
  {
    seller: ACME,
    category: "tools",
    kind: "torque-wrench",
    title: "Torque wrench 1/2″, 40–210 Nm, click type",
    description:
      "Click-type torque wrench with a reversible 72-tooth ratchet head and a locking dual scale (Nm and ft·lb). Accurate to ±4 % clockwise, conforms to ISO 6789-2; delivered with its calibration certificate in a blow-moulded case.",
    tiers: [
      [1, 8950],
      [5, 8450],
    ],
    orderIncrement: 1,
    leadTimeDays: 5,
    attributes: { power_source: "manual" },
    variants: [{ sku: "TW-12-40-210", stock: 46, weightGrams: 1_700 }],
  },
  {
    seller: ACME,
    category: "tools",
    kind: "tape-measure",
    title: "Tape measure 5 m × 25 mm, EC accuracy class II",
    description:
      "Rubber-armoured case with a belt clip and a 25 mm nylon-coated steel blade, metric scale, EC class II. Magnetic end hook, blade lock. Sold in display boxes of 6.",
    tiers: [
      [6, 690],
      [60, 610],
    ],
    orderIncrement: 6,
    leadTimeDays: 4,
    attributes: { power_source: "manual" },
    variants: [{ sku: "TM-5M-25", stock: 600, weightGrams: 290 }],
    status: "draft",
  },
  {
    seller: ACME,
    category: "safety-equipment",
    kind: "nitrile-glove",
    title: "Nitrile-coated work gloves EN 388 4131X, per pair",
    description:
      "Seamless 15-gauge nylon liner with a breathable foam-nitrile palm coating: good grip on oily parts and dexterity for assembly and warehouse work. EN 388:2016 4131X, EN ISO 21420. Priced per pair, packed 12 pairs to a bag.",
    tiers: [
      [12, 145],
      [120, 129],
      [600, 115],
    ],
    orderIncrement: 12,
    leadTimeDays: 2,
    attributes: { standard: "EN 388:2016 4131X" },
    variants: [
      { sku: "GLV-NBR-4131-08", attributes: { size: "M" }, stock: 4_800, weightGrams: 40 },
      { sku: "GLV-NBR-4131-09", attributes: { size: "L" }, stock: 7_200, weightGrams: 42 },
      { sku: "GLV-NBR-4131-10", attributes: { size: "XL" }, stock: 3_600, weightGrams: 44 },
    ],
  },
  {
    seller: ACME,
    category: "safety-equipment",
    kind: "cut-glove",
    title: "Cut-resistant gloves level C (EN 388 4X42C), per pair",
    description:
      "HPPE and glass-fibre knit with a black polyurethane palm for handling sheet metal, glass and sharp-edged parts. Cut level C to EN ISO 13997, touchscreen-friendly fingertips. Priced per pair, 12 pairs to a bag.",
    tiers: [
      [12, 420],
      [120, 385],
      [600, 350],
    ],
    orderIncrement: 12,
    leadTimeDays: 3,
    attributes: { standard: "EN 388:2016 4X42C" },
    variants: [
      { sku: "GLV-CUTC-08", attributes: { size: "M" }, stock: 1_200, weightGrams: 55 },
      { sku: "GLV-CUTC-09", attributes: { size: "L" }, stock: 1_800, weightGrams: 58 },
      { sku: "GLV-CUTC-10", attributes: { size: "XL" }, stock: 960, weightGrams: 60 },
    ],
  },
  {
    seller: ACME,
    category: "safety-equipment",
    kind: "helmet",
    title: "Safety helmet EN 397, ventilated, yellow",
    description:
      "ABS shell with a six-point textile harness, ratchet adjustment from 53 to 63 cm and a replaceable sweatband. Meets EN 397 including −30 °C and lateral deformation (LD). Slots for ear defenders and visors.",
    tiers: [
      [10, 850],
      [50, 790],
      [200, 720],
    ],
    orderIncrement: 10,
    leadTimeDays: 2,
    attributes: { standard: "EN 397" },
    variants: [{ sku: "HLM-397-YEL", stock: 900, weightGrams: 360 }],
  },
  {
    seller: ACME,
    category: "safety-equipment",
    kind: "safety-glasses",
    title: "Safety glasses EN 166, clear polycarbonate, anti-fog",
    description:
      "Wraparound spectacles with a clear polycarbonate lens, anti-scratch and anti-fog coating (K and N) and 99.9 % UV protection (EN 170). Soft nose pads, 26 g. Packed in boxes of 12.",
    tiers: [
      [12, 240],
      [120, 210],
      [600, 185],
    ],
    orderIncrement: 12,
    leadTimeDays: 2,
    attributes: { standard: "EN 166 1 FT KN" },
    variants: [{ sku: "SG-166-CLR-AF", stock: 3_600, weightGrams: 26 }],
  },
  {
    seller: ACME,
    category: "safety-equipment",
    kind: "hi-vis-vest",
    title: "Hi-vis vest EN ISO 20471 class 2, yellow",
    description:
      "Fluorescent yellow polyester vest with two 50 mm retroreflective bands and braces, hook-and-loop front closure. Class 2 to EN ISO 20471, washable at 60 °C. Packed 10 to a bag.",
    tiers: [
      [10, 310],
      [100, 270],
      [500, 240],
    ],
    orderIncrement: 10,
    leadTimeDays: 2,
    attributes: { standard: "EN ISO 20471 class 2" },
    variants: [
      { sku: "HV-20471-Y-L", attributes: { size: "L" }, stock: 1_400, weightGrams: 120 },
      { sku: "HV-20471-Y-XL", attributes: { size: "XL" }, stock: 1_600, weightGrams: 125 },
      { sku: "HV-20471-Y-XXL", attributes: { size: "XXL" }, stock: 800, weightGrams: 130 },
    ],
  },
  {
    seller: ACME,
    category: "safety-equipment",
    kind: "ear-defenders",
    title: "Ear defenders, up to 30 dB, foldable headband",
    description:
      "Lightweight ear muffs with soft foam cushions and a padded, foldable headband for workshop and site noise.",
    tiers: [
      [5, 1190],
      [50, 1090],
    ],
    orderIncrement: 5,
    leadTimeDays: 3,
    attributes: { standard: "EN 352-1" },
    variants: [{ sku: "EM-352-30", stock: 300, weightGrams: 240 }],
    status: "rejected",
    rejectionReason:
      'Please state the SNR and the H/M/L values from the EN 352-1 certificate: "up to 30 dB" is not an attenuation rating buyers can compare. Then resubmit.',
  },
  {
    seller: ACME,
    category: "power-supplies",
    kind: "din-rail-psu",
    title: "DIN-rail power supply 24 V DC, 120 W (5 A)",
    description:
      "Switch-mode power supply for TS-35 rails: 100–240 V AC input, 24 V DC output adjustable ±10 %, 89 % efficiency. Short-circuit, overload and over-voltage protected, DC-OK LED. 40 mm wide, −25 to +70 °C.",
    tiers: [
      [1, 4250],
      [10, 3890],
      [50, 3590],
    ],
    orderIncrement: 1,
    leadTimeDays: 4,
    attributes: { voltage: 24, wattage: 120 },
    variants: [{ sku: "PSU-DIN-24V-120W", stock: 260, weightGrams: 520 }],
  },
  {
    seller: ACME,
    category: "connectors",
    kind: "terminal-block",
    title: "DIN-rail feed-through terminal block, 2.5 mm², screw, grey",
    description:
      "Screw-clamp feed-through terminals for TS-35 rails, conductor 0.2–4 mm² (rated 2.5 mm², 24 A, 800 V). 5.2 mm pitch, polyamide PA66 housing, UL 94 V-0. Boxes of 50; end plates and jumpers listed separately.",
    tiers: [
      [50, 48],
      [500, 42],
      [2500, 37],
    ],
    orderIncrement: 50,
    leadTimeDays: 3,
    attributes: { pins: 2, pitch_mm: 5.2 },
    variants: [
      { sku: "TB-2.5-GY", stock: 24_000, weightGrams: 7 },
      { sku: "TB-2.5-BU", stock: 6_000, weightGrams: 7 },
    ],
  },
  {
    seller: ACME,
    category: "connectors",
    kind: "pin-header",
    title: "Pin header 2.54 mm, 1 × 40, straight, gold-plated",
    description:
      "Single-row break-away pin header, 2.54 mm pitch, 0.64 mm square pins with gold flash over nickel. Through-hole, PBT housing rated to 260 °C for wave and reflow soldering. Tubes of 100.",
    tiers: [
      [100, 22],
      [1000, 17],
      [5000, 14],
    ],
    orderIncrement: 100,
    leadTimeDays: 3,
    attributes: { pins: 40, pitch_mm: 2.54 },
    variants: [{ sku: "PH-254-1X40-S", stock: 15_000, weightGrams: 2 }],
  },
  {
    seller: ACME,
    category: "passive-components",
    kind: "resistor-kit",
    title: "Metal film resistor kit, 0.25 W 1 %, 30 values, 600 pieces",
    description:
      "Twenty of each E24 value from 10 Ω to 1 MΩ (30 values), 0.25 W metal film, ±1 %, 50 ppm/K, axial leads. Sorted and labelled in a reclosable storage box, ideal for maintenance and prototyping benches.",
    tiers: [
      [1, 1290],
      [10, 1150],
    ],
    orderIncrement: 1,
    leadTimeDays: 2,
    attributes: { type: "resistor", package: "through-hole", tolerance: "±1 %" },
    variants: [{ sku: "RK-MF-025-600", stock: 180, weightGrams: 210 }],
  },
  {
    seller: ACME,
    category: "passive-components",
    kind: "capacitor-reel",
    title: "Ceramic capacitor 100 nF 50 V X7R, 0805, reel of 4,000",
    description:
      "Multilayer ceramic chip capacitors for decoupling: 100 nF, 50 V, X7R dielectric, ±10 %, AEC-Q200 qualified. 0805 (2012 metric), 8 mm paper tape on 180 mm reels of 4,000. Priced per reel.",
    tiers: [
      [1, 1840],
      [10, 1620],
      [50, 1480],
    ],
    orderIncrement: 1,
    leadTimeDays: 5,
    attributes: { type: "capacitor", package: "0805", tolerance: "±10 %" },
    variants: [{ sku: "MLCC-0805-104-50V-X7R-R4K", stock: 75, weightGrams: 160 }],
    status: "pending_review",
  },
];

const baltic: Draft[] = [
  {
    seller: BALTIC,
    category: "boxes-cartons",
    kind: "shipping-carton",
    title: "Single-wall shipping carton 305 × 215 × 150 mm",
    description:
      "FEFCO 0201 regular slotted carton in brown corrugated board, B-flute, edge crush 4.5 kN/m. Fits A4 documents and most parcel-size consignments. Delivered flat in bundles of 25.",
    tiers: [
      [25, 62],
      [250, 54],
      [1000, 47],
    ],
    orderIncrement: 25,
    leadTimeDays: 2,
    attributes: { material: "corrugated", wall: "single", width_mm: 215, height_mm: 150 },
    variants: [{ sku: "RSC-305215150-B", stock: 18_000, weightGrams: 190 }],
  },
  {
    seller: BALTIC,
    category: "boxes-cartons",
    kind: "heavy-carton",
    title: "Double-wall heavy-duty carton 600 × 400 × 400 mm",
    description:
      "FEFCO 0201 in double-wall BC-flute corrugated board, edge crush 7.5 kN/m, for loads up to 30 kg and pallet stacking. Sized to the 600 × 400 mm module of a euro pallet. Delivered flat in bundles of 10.",
    tiers: [
      [10, 235],
      [100, 209],
      [500, 189],
    ],
    orderIncrement: 10,
    leadTimeDays: 3,
    attributes: { material: "corrugated", wall: "double", width_mm: 400, height_mm: 400 },
    variants: [{ sku: "RSC-600400400-BC", stock: 4_200, weightGrams: 1_150 }],
  },
  {
    seller: BALTIC,
    category: "boxes-cartons",
    kind: "mailer-box",
    title: "Die-cut mailer box 250 × 180 × 80 mm, kraft, e-commerce",
    description:
      "FEFCO 0427 self-locking mailer with a tuck-in lid and dust flaps, E-flute kraft board that prints well. Folds up without tape; fits books, apparel and boxed electronics. Bundles of 50.",
    tiers: [
      [50, 78],
      [500, 66],
      [2500, 57],
    ],
    orderIncrement: 50,
    leadTimeDays: 3,
    attributes: { material: "kraft", wall: "single", width_mm: 180, height_mm: 80 },
    variants: [{ sku: "MLR-25018080-E-KR", stock: 12_500, weightGrams: 140 }],
  },
  {
    seller: BALTIC,
    category: "boxes-cartons",
    kind: "archive-box",
    title: "Archive box A4, white board, with hinged lid",
    description:
      "Acid-free archive box for A4 files and lever-arch contents, 330 × 260 × 100 mm inside, with a hinged lid, finger holes and a printed label field. Assembles in seconds without tape. Bundles of 25.",
    tiers: [
      [25, 115],
      [250, 98],
    ],
    orderIncrement: 25,
    leadTimeDays: 3,
    attributes: { material: "white-board", wall: "single", width_mm: 260, height_mm: 100 },
    variants: [{ sku: "ARC-A4-WB", stock: 3_000, weightGrams: 320 }],
  },
  {
    seller: BALTIC,
    category: "tapes-adhesives",
    kind: "packing-tape",
    title: "Polypropylene packing tape 48 mm × 66 m, brown, low noise",
    description:
      "Biaxially oriented PP carrier with a solvent-free acrylic adhesive that unwinds quietly and holds on recycled cardboard. 28 µm film, works with standard hand and machine dispensers. Cartons of 36 rolls.",
    tiers: [
      [36, 129],
      [360, 112],
      [1440, 99],
    ],
    orderIncrement: 36,
    leadTimeDays: 2,
    attributes: { material: "polypropylene", width_mm: 48 },
    variants: [{ sku: "PPT-48X66-BR-LN", stock: 21_600, weightGrams: 260 }],
  },
  {
    seller: BALTIC,
    category: "tapes-adhesives",
    kind: "masking-tape",
    title: "Paper masking tape 25 mm × 50 m, 60 °C",
    description:
      "Crêped paper masking tape with a natural rubber adhesive that removes cleanly within 7 days, up to 60 °C. For painting, labelling and light bundling. Cartons of 48 rolls.",
    tiers: [
      [48, 95],
      [480, 82],
    ],
    orderIncrement: 48,
    leadTimeDays: 2,
    attributes: { material: "paper", width_mm: 25 },
    variants: [{ sku: "MSK-25X50-60C", stock: 9_600, weightGrams: 120 }],
  },
  {
    seller: BALTIC,
    category: "pallets-wrap",
    kind: "euro-pallet",
    title: "EPAL euro pallet 1200 × 800 mm, new, heat-treated",
    description:
      "New EPAL 1 wooden pallet, 1200 × 800 × 144 mm, ISPM 15 heat-treated for export. 1,500 kg dynamic load, 4,000 kg static load, four-way entry for pallet trucks. Collected or delivered in stacks of 15.",
    tiers: [
      [15, 1450],
      [60, 1320],
      [240, 1240],
    ],
    orderIncrement: 15,
    leadTimeDays: 5,
    attributes: { material: "wood" },
    variants: [{ sku: "EPAL1-NEW-HT", stock: 1_800, weightGrams: 25_000 }],
  },
  {
    seller: BALTIC,
    category: "pallets-wrap",
    kind: "plastic-pallet",
    title: "Hygienic plastic pallet 1200 × 800 mm, food-safe",
    description:
      "One-piece HDPE pallet with a closed deck for food and pharma areas: washable, no splinters or nails. 1,250 kg dynamic load. Food-safe.",
    tiers: [
      [5, 3900],
      [50, 3550],
    ],
    orderIncrement: 5,
    leadTimeDays: 7,
    attributes: { material: "plastic" },
    variants: [{ sku: "PLP-1208-HDPE-BL", stock: 320, weightGrams: 14_000 }],
    status: "rejected",
    rejectionReason:
      '"Food-safe" needs its basis: name the food-contact regulation the pallet is certified to (e.g. EU 10/2011) and the certificate holder, or remove the claim. Then resubmit.',
  },
  {
    seller: BALTIC,
    category: "pallets-wrap",
    kind: "stretch-film",
    title: "Hand stretch film 500 mm × 300 m, 23 µm, clear",
    description:
      "Cast LLDPE pallet wrap with 150 % pre-stretch, cling on one side and a quiet unwind. 23 µm, about 2.4 kg per roll on a 50 mm core. Boxes of 6 rolls.",
    tiers: [
      [6, 720],
      [60, 655],
      [240, 610],
    ],
    orderIncrement: 6,
    leadTimeDays: 2,
    attributes: { material: "lldpe" },
    variants: [{ sku: "SF-H-500-300-23", stock: 2_880, weightGrams: 2_400 }],
  },
  {
    seller: BALTIC,
    category: "pallets-wrap",
    kind: "stretch-film",
    title: "Machine stretch film 500 mm × 1,500 m, 17 µm, power pre-stretch",
    description:
      "Blown LLDPE film for turntable wrappers with power pre-stretch up to 300 %, high puncture resistance, 76 mm core. About 16 kg per roll; pallets of 40 rolls also available on request.",
    tiers: [
      [1, 2450],
      [10, 2290],
      [40, 2150],
    ],
    orderIncrement: 1,
    leadTimeDays: 4,
    attributes: { material: "lldpe" },
    variants: [{ sku: "SF-M-500-1500-17", stock: 400, weightGrams: 16_000 }],
    status: "pending_review",
  },
  {
    seller: BALTIC,
    category: "paper",
    kind: "copy-paper",
    title: "Copy paper A4, 80 g/m², box of 5 reams (2,500 sheets)",
    description:
      "Bright white (CIE 161) multifunction paper for laser and inkjet printers and copiers, jam-free and 99.9 % runnability. FSC-certified, EU Ecolabel. Five reams of 500 sheets to a box.",
    tiers: [
      [1, 2390],
      [10, 2240],
      [40, 2090],
    ],
    orderIncrement: 1,
    leadTimeDays: 2,
    attributes: { size: "A4", weight_gsm: 80 },
    variants: [{ sku: "CP-A4-80-5R", stock: 1_200, weightGrams: 12_500 }],
  },
  {
    seller: BALTIC,
    category: "paper",
    kind: "copy-paper-a3",
    title: "Copy paper A3, 80 g/m², box of 5 reams (2,500 sheets)",
    description:
      "The same bright white multifunction paper in A3 for plans, spreadsheets and posters. FSC-certified, EU Ecolabel. Five reams of 500 sheets to a box.",
    tiers: [
      [1, 4250],
      [10, 3990],
    ],
    orderIncrement: 1,
    leadTimeDays: 3,
    attributes: { size: "A3", weight_gsm: 80 },
    variants: [{ sku: "CP-A3-80-5R", stock: 260, weightGrams: 25_000 }],
  },
  {
    seller: BALTIC,
    category: "paper",
    kind: "recycled-paper",
    title: "Recycled copy paper A4, 80 g/m², 100 % post-consumer fibre",
    description:
      "Blue Angel and EU Ecolabel certified recycled paper, natural white (CIE 110), for everyday printing and copying. Five reams of 500 sheets to a box.",
    tiers: [
      [1, 2190],
      [10, 2050],
    ],
    orderIncrement: 1,
    leadTimeDays: 2,
    attributes: { size: "A4", weight_gsm: 80 },
    variants: [{ sku: "RCP-A4-80-5R", stock: 800, weightGrams: 12_500 }],
    status: "draft",
  },
  {
    seller: BALTIC,
    category: "disposables",
    kind: "paper-cup",
    title: "Double-wall paper coffee cup 8 oz / 240 ml, compostable",
    description:
      "Insulated double-wall cup, no sleeve needed, PLA-lined and certified industrially compostable to EN 13432. 80 mm rim, fits standard 80 mm sip lids. Priced per cup, cases of 500.",
    tiers: [
      [500, 8],
      [5000, 7],
      [20000, 6],
    ],
    orderIncrement: 500,
    leadTimeDays: 3,
    attributes: { material: "paper", compostable: true },
    variants: [{ sku: "CUP-DW-8OZ-PLA", stock: 180_000, weightGrams: 9 }],
  },
  {
    seller: BALTIC,
    category: "disposables",
    kind: "bagasse-clamshell",
    title: "Bagasse clamshell takeaway box 9 × 9″, compostable",
    description:
      "Sugar-cane fibre clamshell, 230 × 230 × 80 mm, for hot and greasy food up to 100 °C, microwave-safe. No PFAS added; home and industrially compostable. Priced per box, cases of 200.",
    tiers: [
      [200, 19],
      [2000, 16],
      [10000, 14],
    ],
    orderIncrement: 200,
    leadTimeDays: 4,
    attributes: { material: "bagasse", compostable: true },
    variants: [{ sku: "BAG-CLAM-9X9", stock: 46_000, weightGrams: 38 }],
  },
  {
    seller: BALTIC,
    category: "disposables",
    kind: "wooden-forks",
    title: "Birch wood forks 160 mm, waxed, FSC",
    description:
      "Smooth FSC birch forks, waxed and sanded, sturdy enough for salads and hot dishes. Single-use plastic alternative under the EU SUP directive. Priced per fork, boxes of 1,000.",
    tiers: [
      [1000, 3],
      [10000, 2],
    ],
    orderIncrement: 1000,
    leadTimeDays: 3,
    attributes: { material: "wood", compostable: true },
    variants: [{ sku: "WF-160-BIRCH", stock: 400_000, weightGrams: 2 }],
  },
  {
    seller: BALTIC,
    category: "cleaning-hygiene",
    kind: "soap-canister",
    title: "Mild hand soap 5 L refill, pH-neutral, unperfumed",
    description:
      "Gentle liquid soap for frequent hand washing in kitchens, workshops and washrooms: pH 5.5, dermatologically tested, free of dyes and perfume, readily biodegradable surfactants. Refills any bulk dispenser. Cases of 4 canisters.",
    tiers: [
      [4, 980],
      [40, 890],
    ],
    orderIncrement: 4,
    leadTimeDays: 3,
    attributes: { compostable: true },
    variants: [{ sku: "HS-5L-MILD", stock: 640, weightGrams: 5_300 }],
  },
  {
    seller: BALTIC,
    category: "cleaning-hygiene",
    kind: "hand-towels",
    title: "Interfold paper hand towels, 2-ply, case of 3,000",
    description:
      "Soft, absorbent 2-ply towels, 21 × 24 cm, interfolded to dispense one at a time from standard Z/V-fold dispensers. 20 packs of 150 sheets per case, EU Ecolabel.",
    tiers: [
      [1, 2490],
      [10, 2290],
      [40, 2150],
    ],
    orderIncrement: 1,
    leadTimeDays: 2,
    attributes: { compostable: true },
    variants: [{ sku: "HT-IF-2P-3000", stock: 520, weightGrams: 6_800 }],
  },
  {
    seller: BALTIC,
    category: "cleaning-hygiene",
    kind: "microfibre-cloths",
    title: "Microfibre cleaning cloths 40 × 40 cm, colour-coded, pack of 10",
    description:
      "Lint-free 300 g/m² microfibre for dry and damp cleaning without chemicals; washable up to 95 °C, 500 cycles. Four colours for HACCP zoning (blue, red, green, yellow). Priced per pack of 10.",
    tiers: [
      [1, 740],
      [20, 660],
      [100, 590],
    ],
    orderIncrement: 1,
    leadTimeDays: 2,
    attributes: { compostable: false },
    variants: [{ sku: "MFC-4040-MIX-10", stock: 1_100, weightGrams: 380 }],
  },
  {
    seller: BALTIC,
    category: "cleaning-hygiene",
    kind: "disinfectant-spray",
    title: "Surface disinfectant spray 750 ml, alcohol-based",
    description:
      "Ready-to-use alcohol disinfectant for food-contact surfaces and equipment, dries without residue in 60 seconds. Bactericidal and yeasticidal to EN 13697, virucidal against enveloped viruses. Cartons of 6 trigger bottles.",
    tiers: [
      [6, 395],
      [60, 355],
    ],
    orderIncrement: 6,
    leadTimeDays: 3,
    attributes: { compostable: false },
    variants: [{ sku: "DS-750-ALC", stock: 1_440, weightGrams: 820 }],
  },
];

const rhine: Draft[] = [
  {
    seller: RHINE,
    category: "office-furniture",
    kind: "task-chair",
    title: "Ergonomic mesh task chair, synchro mechanism, adjustable lumbar",
    description:
      "Breathable mesh back with height-adjustable lumbar support, moulded foam seat with seat-depth slide, 4D armrests and a lockable synchronous mechanism. Tested to EN 1335 for 8-hour use, 120 kg. Delivered assembled.",
    tiers: [
      [1, 28900],
      [5, 26900],
      [20, 24900],
    ],
    orderIncrement: 1,
    leadTimeDays: 10,
    attributes: { material: "mesh" },
    variants: [{ sku: "TC-MESH-SYN-BK", stock: 64, weightGrams: 17_500 }],
  },
  {
    seller: RHINE,
    category: "office-furniture",
    kind: "standing-desk",
    title: "Electric sit-stand desk 1600 × 800 mm, dual motor",
    description:
      "Two-motor steel frame, 62–127 cm height range at 38 mm/s, memory handset with four presets and anti-collision stop. 25 mm oak-decor melamine top, 120 kg load. Tested to EN 527-1; delivered flat-packed.",
    tiers: [
      [1, 54900],
      [5, 51900],
      [10, 48900],
    ],
    orderIncrement: 1,
    leadTimeDays: 14,
    attributes: { material: "steel" },
    variants: [{ sku: "SSD-1608-OAK", stock: 38, weightGrams: 52_000 }],
  },
  {
    seller: RHINE,
    category: "office-furniture",
    kind: "filing-cabinet",
    title: "Steel filing cabinet, 4 drawers for A4 suspension files",
    description:
      "Powder-coated steel cabinet, 1320 × 470 × 620 mm, with four full-extension drawers on ball-bearing runners, anti-tilt interlock and central lock with two keys. Takes A4 and foolscap suspension files.",
    tiers: [
      [1, 32900],
      [5, 30900],
    ],
    orderIncrement: 1,
    leadTimeDays: 10,
    attributes: { material: "steel" },
    variants: [{ sku: "FC-4D-A4-GY", stock: 22, weightGrams: 43_000 }],
  },
  {
    seller: RHINE,
    category: "kitchen-equipment",
    kind: "blender",
    title: "Commercial blender 2 L, 1,500 W, BPA-free jar",
    description:
      "High-performance bar and kitchen blender with a hardened stainless-steel blade, variable speed and pulse, and a 2 L Tritan jar. Crushes ice and blends smoothies in under a minute. CE, 230 V.",
    tiers: [
      [1, 34900],
      [5, 32900],
    ],
    orderIncrement: 1,
    leadTimeDays: 5,
    attributes: { voltage: 230, power_source: "electric" },
    variants: [{ sku: "BL-2L-1500", stock: 30, weightGrams: 5_200 }],
  },
  {
    seller: RHINE,
    category: "kitchen-equipment",
    kind: "induction-hob",
    title: "Countertop induction hob 3.5 kW, single zone",
    description:
      "Commercial induction unit with a Schott Ceran glass top, 10 power levels, timer and pan detection, for pans from 12 to 26 cm. Stainless-steel housing, 230 V plug-in. Ideal for front cooking and satellite kitchens.",
    tiers: [
      [1, 28900],
      [5, 27400],
    ],
    orderIncrement: 1,
    leadTimeDays: 5,
    attributes: { voltage: 230, power_source: "electric" },
    variants: [{ sku: "IH-3500-1Z", stock: 26, weightGrams: 6_100 }],
  },
  {
    seller: RHINE,
    category: "kitchen-equipment",
    kind: "convection-oven",
    title: "Convection oven, 4 trays 600 × 400 mm, with humidity",
    description:
      "Stainless-steel convection oven for bake-off and gastronomy: four 600 × 400 trays at 75 mm spacing, 50–270 °C, manual steam injection and a double-glazed door. 6.4 kW, 400 V three-phase. Trays not included.",
    tiers: [
      [1, 189000],
      [3, 182000],
    ],
    orderIncrement: 1,
    leadTimeDays: 21,
    attributes: { voltage: 400, power_source: "electric" },
    variants: [{ sku: "CO-4T-6040-H", stock: 6, weightGrams: 58_000 }],
  },
];

/** The curated catalogue in storefront order: newest first once published (ageDays spreads them out). */
export const demoListings: DemoListing[] = [...acme, ...baltic, ...rhine].map((listing, index) => ({
  ...listing,
  status: listing.status ?? "published",
  currency: "EUR",
  ageDays: 2 + ((index * 17) % 60),
}));
