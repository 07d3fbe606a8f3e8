/**
 * Listing images, uploaded from the browser straight to R2 (the Worker never sees the bytes):
 *   1. POST /v1/orgs/:orgId/uploads            → a presigned PUT for this file's type and size
 *   2. PUT the file to that URL (XMLHttpRequest, for a progress bar)
 *   3. POST …/uploads/:uploadId/complete       → verified (size, type, magic bytes) or refused, with why
 *   4. PATCH /v1/orgs/:orgId/listings/:id      → the image appended, If-Match the listing's version
 * then the image list is re-read from the page. Same-origin fetches carry the session cookie; the API's
 * CSRF rule is met by the Origin header the browser sends.
 *
 * The response types are declared here rather than imported: the route modules pull in Worker-only
 * types this DOM-only tsconfig cannot check. They mirror the OpenAPI components PresignedUpload, File
 * and Listing (the fields used).
 */
interface PresignedUpload {
  uploadId: string;
  method: "PUT";
  url: string;
  headers: Record<string, string>;
  expiresAt: string;
}
interface UploadedFile {
  id: string;
  status: "pending" | "ready";
  contentType: string;
  contentLength: number;
  url: string | null;
}
interface ListingImages {
  version: number;
  images: { id: string; url: string }[];
}
interface Problem {
  title?: string;
  detail?: string;
  errors?: { field: string; message: string }[];
}

const ACCEPTED = ["image/jpeg", "image/png", "image/webp", "image/avif"];

class UploadError extends Error {}

async function problemText(response: Response): Promise<string> {
  try {
    const problem = (await response.json()) as Problem;
    const details = (problem.errors ?? []).map((e) => e.message).join("; ");
    return [problem.detail ?? problem.title ?? `Error ${response.status}`, details].filter(Boolean).join(" ");
  } catch {
    return `The server answered ${response.status}.`;
  }
}

async function api<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  const response = await fetch(path, {
    ...init,
    headers,
    credentials: "same-origin",
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  if (!response.ok) throw new UploadError(await problemText(response));
  return (await response.json()) as T;
}

/** PUTs the file to the presigned URL, reporting progress (0–1). */
function putFile(upload: PresignedUpload, file: File, progress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(upload.method, upload.url);
    // The browser sets Content-Length itself (from the body); setting it is forbidden.
    for (const [name, value] of Object.entries(upload.headers)) {
      if (name.toLowerCase() !== "content-length") xhr.setRequestHeader(name, value);
    }
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) progress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () =>
      xhr.status >= 200 && xhr.status < 300
        ? resolve()
        : reject(new UploadError(`Storage refused the file (HTTP ${xhr.status}).`)),
    );
    xhr.addEventListener("error", () =>
      reject(new UploadError("The upload to storage failed: check your connection.")),
    );
    xhr.addEventListener("abort", () => reject(new UploadError("The upload was cancelled.")));
    xhr.send(file);
  });
}

function formatSize(bytes: number): string {
  const format = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    maximumFractionDigits: 1,
  });
  if (bytes < 1024) return `${format.format(bytes)} bytes`;
  return bytes < 1024 * 1024
    ? `${format.format(bytes / 1024)} KB`
    : `${format.format(bytes / 1024 / 1024)} MB`;
}

/** One file's row in the queue: name, bar, and what happened. */
function queueItem(list: HTMLElement, file: File) {
  const item = document.createElement("li");
  item.className = "upload-item";
  const name = document.createElement("span");
  name.className = "upload-name";
  name.textContent = `${file.name} (${formatSize(file.size)})`;
  const bar = document.createElement("div");
  bar.className = "progress";
  bar.setAttribute("role", "progressbar");
  bar.setAttribute("aria-label", `Uploading ${file.name}`);
  bar.setAttribute("aria-valuemin", "0");
  bar.setAttribute("aria-valuemax", "100");
  const fill = document.createElement("span");
  bar.append(fill);
  const status = document.createElement("span");
  status.className = "upload-status small";
  item.append(name, bar, status);
  list.append(item);
  return {
    progress(fraction: number) {
      const percent = Math.round(fraction * 100);
      fill.style.width = `${percent}%`;
      bar.setAttribute("aria-valuenow", String(percent));
    },
    say(text: string, tone: "busy" | "ok" | "bad") {
      status.textContent = text;
      item.dataset.state = tone;
      if (tone !== "busy") bar.hidden = true;
    },
  };
}

function versionInputs(): HTMLInputElement[] {
  return [...document.querySelectorAll<HTMLInputElement>('input[type="hidden"][name="version"]')];
}

/** Replaces the image list with the page's current one (the server renders it, with the new version). */
async function reloadImages(): Promise<void> {
  const response = await fetch(location.pathname, { credentials: "same-origin" });
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  const incoming = fresh.getElementById("image-manager");
  const current = document.getElementById("image-manager");
  if (incoming && current) current.replaceWith(document.importNode(incoming, true));
  const count = fresh.querySelector("#images .panel-title .muted");
  const shown = document.querySelector("#images .panel-title .muted");
  if (count && shown) shown.textContent = count.textContent;
}

/**
 * Appends the image to the listing at the version this page holds. If someone else changed the listing
 * meanwhile, appends to the current version instead, but leaves the page's forms at their version, so
 * saving the form still reports that conflict rather than overwriting it.
 */
async function attach(orgId: string, listingId: string, fileId: string): Promise<void> {
  const manager = document.getElementById("image-manager");
  const images = (manager?.dataset.images ?? "").split(",").filter(Boolean);
  const pageVersion = Number(versionInputs()[0]?.value ?? "0");
  const path = `/v1/orgs/${orgId}/listings/${listingId}`;
  const patch = (version: number, ids: string[]) =>
    fetch(path, {
      method: "PATCH",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "if-match": `"${version}"` },
      body: JSON.stringify({ images: [...ids.filter((id) => id !== fileId), fileId] }),
    });
  let response = await patch(pageVersion, images);
  let ours = true;
  if (response.status === 412) {
    ours = false;
    const latest = await api<ListingImages>(path);
    response = await patch(
      latest.version,
      latest.images.map((image) => image.id),
    );
  }
  if (!response.ok) throw new UploadError(await problemText(response));
  const listing = (await response.json()) as ListingImages;
  if (ours) for (const input of versionInputs()) input.value = String(listing.version);
  // The re-read list carries the listing's current version in its own reorder form.
  await reloadImages();
}

async function upload(panel: HTMLElement, list: HTMLElement, file: File): Promise<void> {
  const orgId = panel.dataset.org ?? "";
  const listingId = panel.dataset.listing ?? "";
  const maxBytes = Number(panel.dataset.maxBytes ?? "0");
  const row = queueItem(list, file);
  try {
    if (!ACCEPTED.includes(file.type))
      throw new UploadError("Not an image we accept: use JPEG, PNG, WebP or AVIF.");
    if (maxBytes && file.size > maxBytes)
      throw new UploadError(`Too large: at most ${formatSize(maxBytes)}.`);
    row.say("Preparing…", "busy");
    const presigned = await api<PresignedUpload>(`/v1/orgs/${orgId}/uploads`, {
      method: "POST",
      json: {
        purpose: "image",
        contentType: file.type,
        contentLength: file.size,
        filename: file.name.slice(0, 255),
      },
    });
    row.say("Uploading…", "busy");
    await putFile(presigned, file, (fraction) => row.progress(fraction));
    row.progress(1);
    row.say("Checking the file…", "busy");
    const verified = await api<UploadedFile>(`/v1/orgs/${orgId}/uploads/${presigned.uploadId}/complete`, {
      method: "POST",
    });
    row.say("Verified. Adding it to the listing…", "busy");
    await attach(orgId, listingId, verified.id);
    row.say(`✓ Verified and added (${verified.contentType}, ${formatSize(verified.contentLength)}).`, "ok");
  } catch (error) {
    const reason = error instanceof UploadError ? error.message : "Something went wrong; please try again.";
    row.say(`Refused: ${reason}`, "bad");
  }
}

for (const panel of document.querySelectorAll<HTMLElement>("[data-uploader]")) {
  const zone = panel.querySelector<HTMLElement>(".dropzone");
  const input = panel.querySelector<HTMLInputElement>('input[type="file"]');
  const list = panel.querySelector<HTMLElement>(".upload-queue");
  if (!zone || !input || !list) continue;
  zone.hidden = false;
  for (const note of panel.querySelectorAll<HTMLElement>(".uploader-nojs")) note.hidden = true;
  // One file after another: each attach needs the version the previous one produced.
  let queue = Promise.resolve();
  const start = (files: FileList | null) => {
    for (const file of files ?? []) queue = queue.then(() => upload(panel, list, file));
  };
  input.addEventListener("change", () => {
    start(input.files);
    input.value = "";
  });
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    start(event.dataTransfer?.files ?? null);
  });
}
