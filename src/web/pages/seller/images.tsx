/**
 * A listing's images on its edit page: the attached (verified) images with a plain form to reorder or
 * remove them, and the upload panel that client/upload.ts brings to life (the bytes go from the browser
 * straight to R2; the Worker only presigns and verifies).
 */
import type { ListingView } from "../../../services/catalog/views.ts";
import type { Format } from "../../format.ts";

/** The most images a listing may have (the API's limit). */
export const MAX_IMAGES = 20;
const ACCEPTED = "image/jpeg,image/png,image/webp,image/avif";

export function ImagesPanel(props: {
  listing: ListingView;
  orgId: string;
  canWrite: boolean;
  maxBytes: number;
  fmt: Format;
}) {
  const { listing } = props;
  const images = listing.images;
  const megabytes = props.fmt.number(Math.round((props.maxBytes / 1024 / 1024) * 10) / 10);
  return (
    <section class="panel" id="images" aria-labelledby="images-title">
      <div class="panel-title">
        <h2 id="images-title">Images</h2>
        <span class="muted small">
          {images.length} of {MAX_IMAGES}
        </span>
      </div>
      <form
        method="post"
        action={`/seller/listings/${listing.id}/images`}
        id="image-manager"
        class="image-manager"
        data-images={images.map((image) => image.id).join(",")}
      >
        <input type="hidden" name="version" value={String(listing.version)} />
        {images.length === 0 ? (
          <p class="muted small">
            No images yet. Listings with clear product photos sell better: the first image is the one buyers
            see in search.
          </p>
        ) : (
          <ol class="image-list">
            {images.map((image, index) => (
              <li>
                <input type="hidden" name="order" value={image.id} />
                <img src={image.url} alt={`${listing.title}, view ${index + 1}`} width={120} height={120} />
                <span class="image-caption">
                  <span>{index === 0 ? "Main image" : `Image ${index + 1}`}</span>
                  <span class="text-ok">✓ Verified</span>
                </span>
                {props.canWrite && (
                  <span class="image-actions">
                    {images.length > 1 && (
                      <>
                        <button
                          class="btn btn-small"
                          type="submit"
                          name="move"
                          value={`${image.id}:-1`}
                          disabled={index === 0}
                          aria-label={`Move image ${index + 1} earlier`}
                        >
                          ←
                        </button>
                        <button
                          class="btn btn-small"
                          type="submit"
                          name="move"
                          value={`${image.id}:1`}
                          disabled={index === images.length - 1}
                          aria-label={`Move image ${index + 1} later`}
                        >
                          →
                        </button>
                      </>
                    )}
                    <button
                      class="btn btn-small btn-danger"
                      type="submit"
                      name="remove"
                      value={image.id}
                      aria-label={`Remove image ${index + 1}`}
                    >
                      Remove
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ol>
        )}
      </form>
      {props.canWrite && images.length < MAX_IMAGES && (
        <div
          class="uploader"
          data-uploader
          data-org={props.orgId}
          data-listing={listing.id}
          data-max-bytes={String(props.maxBytes)}
        >
          <p class="muted small uploader-nojs">
            Uploading images needs JavaScript, which is off or still loading. Everything else on this page
            works without it.
          </p>
          <div class="dropzone" hidden>
            <p>
              <strong>Drop images here</strong> or
            </p>
            <label class="btn" for="image-files">
              Choose images…
            </label>
            <input class="visually-hidden" id="image-files" type="file" accept={ACCEPTED} multiple />
            <p class="hint small">
              JPEG, PNG, WebP or AVIF up to {megabytes} MB each. Files go straight to storage and are checked
              before they are shown.
            </p>
          </div>
          <ul class="upload-queue" aria-live="polite" />
        </div>
      )}
    </section>
  );
}
