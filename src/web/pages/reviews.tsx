/**
 * Reviews in the web app: the seller rating beside listings and sellers, reviews with their replies, the
 * buyer's review form (completed orders) and the seller's reply form. Plain forms, no script needed.
 */
import { z } from "zod";
import type { SellerRating } from "../../contracts/catalog.ts";
import { REVIEW_BODY_MAX, type Review } from "../../contracts/reviews.ts";
import { usableText } from "../../lib/text.ts";
import { rolesFor } from "../../services/identity/permissions.ts";
import type { FieldErrors } from "../components.tsx";
import type { Membership } from "../context.ts";
import type { Format } from "../format.ts";
import { type Form, field, zodErrors } from "../forms.ts";

/** The review form, checked as the API checks PUT …/review. */
const reviewInput = z.object({
  rating: z.coerce
    .number({ message: "Choose from 1 to 5 stars" })
    .int("Choose from 1 to 5 stars")
    .min(1, "Choose from 1 to 5 stars")
    .max(5, "Choose from 1 to 5 stars"),
  body: usableText(
    z
      .string()
      .trim()
      .min(1, "Tell other buyers how the order went")
      .max(REVIEW_BODY_MAX, `At most ${REVIEW_BODY_MAX} characters`),
    "multi",
  ),
});
const replyInput = z.object({ reply: reviewInput.shape.body });

export type ReviewValues = { rating?: string; body?: string };

export function readReviewForm(form: Form) {
  const values = { rating: field(form, "rating"), body: field(form, "body") };
  const parsed = reviewInput.safeParse({ rating: values.rating || undefined, body: values.body });
  return parsed.success
    ? { values, input: parsed.data }
    : { values, errors: zodErrors(parsed.error) as FieldErrors };
}

export function readReplyForm(form: Form) {
  const values = { reply: field(form, "reply") };
  const parsed = replyInput.safeParse(values);
  return parsed.success
    ? { values, body: parsed.data.reply }
    : { values, errors: zodErrors(parsed.error) as FieldErrors };
}

export const canReview = (org: Membership) =>
  (rolesFor("reviews:write") as readonly string[]).includes(org.role);
export const canReply = (org: Membership) =>
  (rolesFor("reviews:reply") as readonly string[]).includes(org.role);

function average(fmt: Format, value: number): string {
  return new Intl.NumberFormat(fmt.locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(
    value,
  );
}

/** Five stars, the first `filled` of them full; decorative (the text beside them says the same). */
export function Stars(props: { filled: number }) {
  const filled = Math.max(0, Math.min(5, Math.round(props.filled)));
  return (
    <span class="stars" aria-hidden="true">
      <span class="stars-on">{"★".repeat(filled)}</span>
      <span class="stars-off">{"★".repeat(5 - filled)}</span>
    </span>
  );
}

/**
 * A seller's rating: stars, average and number of reviews ("No reviews yet" before the first). `rating`
 * may be missing from an edge copy made before ratings existed.
 */
export function RatingSummary(props: { fmt: Format; rating: SellerRating | undefined; href?: string }) {
  const { fmt, rating } = props;
  if (!rating || rating.count === 0 || rating.average === null)
    return <span class="rating rating-none">No reviews yet</span>;
  const reviews = `${fmt.number(rating.count)} ${rating.count === 1 ? "review" : "reviews"}`;
  const body = (
    <>
      <Stars filled={rating.average} />
      <span class="visually-hidden">Rated </span>
      <strong>{average(fmt, rating.average)}</strong>
      <span class="visually-hidden"> out of 5</span> <span class="rating-count">({reviews})</span>
    </>
  );
  return props.href ? (
    <a class="rating" href={props.href}>
      {body}
    </a>
  ) : (
    <span class="rating">{body}</span>
  );
}

/** One review as people read it: stars, text with its line breaks, who and when, and the seller's reply. */
export function ReviewBody(props: {
  fmt: Format;
  now: number;
  rating: number;
  body: string;
  byline: string;
  createdAt: string;
  edited?: boolean;
  reply: { body: string; repliedAt: string } | null;
  sellerName?: string;
}) {
  const { fmt } = props;
  return (
    <article class="review">
      <p class="review-head">
        <Stars filled={props.rating} />
        <span class="visually-hidden">{props.rating} out of 5 stars</span>{" "}
        <span class="muted small">
          {props.byline} ·{" "}
          <time datetime={props.createdAt} title={fmt.dateTime(props.createdAt)}>
            {fmt.relative(props.createdAt, props.now)}
          </time>
          {props.edited ? " · edited" : ""}
        </span>
      </p>
      <p class="review-text">{props.body}</p>
      {props.reply && (
        <div class="review-reply">
          <p class="small">
            <strong>Reply from {props.sellerName ?? "the seller"}</strong>{" "}
            <time class="muted" datetime={props.reply.repliedAt} title={fmt.dateTime(props.reply.repliedAt)}>
              {fmt.relative(props.reply.repliedAt, props.now)}
            </time>
          </p>
          <p class="review-text">{props.reply.body}</p>
        </div>
      )}
    </article>
  );
}

/** A review on the order page of either party: the review itself, and its moderation state. */
export function OrderReview(props: {
  fmt: Format;
  now: number;
  review: Review;
  byline: string;
  sellerName: string;
}) {
  const { review } = props;
  return (
    <>
      {review.hidden && (
        <p class="alert alert-warn">
          Hidden by Tradeyard's moderators: {review.hidden.reason}. It is not shown on the seller's page and
          does not count towards their rating.
        </p>
      )}
      <ReviewBody
        fmt={props.fmt}
        now={props.now}
        rating={review.rating}
        body={review.body}
        byline={props.byline}
        createdAt={review.createdAt}
        edited={review.updatedAt !== review.createdAt}
        reply={review.reply}
        sellerName={props.sellerName}
      />
    </>
  );
}

const STAR_LABELS = [
  "",
  "1 star: poor",
  "2 stars: fair",
  "3 stars: good",
  "4 stars: very good",
  "5 stars: excellent",
];

/** The buyer's review form: five radio buttons and the text (POST → 303 back to the order). */
export function ReviewForm(props: {
  action: string;
  values: ReviewValues;
  errors: FieldErrors;
  editing: boolean;
  editableUntil?: string;
  fmt: Format;
}) {
  const { errors, values } = props;
  return (
    <form method="post" action={props.action} class="form review-form" data-once>
      <fieldset class={errors.rating ? "field field-invalid star-choice" : "field star-choice"}>
        <legend>Your rating</legend>
        {[5, 4, 3, 2, 1].map((n) => (
          <label>
            <input
              type="radio"
              name="rating"
              value={String(n)}
              required
              checked={values.rating === String(n)}
              aria-describedby={errors.rating ? "f-rating-error" : undefined}
            />{" "}
            <Stars filled={n} /> <span>{STAR_LABELS[n]}</span>
          </label>
        ))}
        {errors.rating && (
          <span class="error" id="f-rating-error">
            {errors.rating}
          </span>
        )}
      </fieldset>
      <div class={errors.body ? "field field-invalid" : "field"}>
        <label for="f-body">Your review</label>
        <textarea
          id="f-body"
          name="body"
          required
          rows={5}
          maxlength={REVIEW_BODY_MAX}
          aria-invalid={errors.body ? "true" : undefined}
          aria-describedby={errors.body ? "f-body-hint f-body-error" : "f-body-hint"}
        >
          {values.body ?? ""}
        </textarea>
        <span class="hint" id="f-body-hint">
          Shown publicly on the seller's page, signed with your organisation's shortened name.
          {props.editableUntil
            ? ` You can edit it until ${props.fmt.date(props.editableUntil)}.`
            : " You can edit it for 30 days."}
        </span>
        {errors.body && (
          <span class="error" id="f-body-error">
            {errors.body}
          </span>
        )}
      </div>
      <button class="btn btn-primary" type="submit">
        {props.editing ? "Save review" : "Post review"}
      </button>
    </form>
  );
}

/** The seller's one reply (POST → 303 back to the order). */
export function ReplyForm(props: { action: string; value?: string; errors: FieldErrors }) {
  const error = props.errors.reply;
  return (
    <form method="post" action={props.action} class="form" data-once>
      <div class={error ? "field field-invalid" : "field"}>
        <label for="f-reply">Your reply</label>
        <textarea
          id="f-reply"
          name="reply"
          required
          rows={4}
          maxlength={REVIEW_BODY_MAX}
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? "f-reply-hint f-reply-error" : "f-reply-hint"}
        >
          {props.value ?? ""}
        </textarea>
        <span class="hint" id="f-reply-hint">
          Shown publicly under the review. You can reply once, and cannot edit it afterwards.
        </span>
        {error && (
          <span class="error" id="f-reply-error">
            {error}
          </span>
        )}
      </div>
      <button class="btn btn-primary" type="submit">
        Post reply
      </button>
    </form>
  );
}
