/**
 * Buyer–seller conversations: threads about an order, a listing inquiry or an RFQ, and their messages.
 * Message bodies are plain text, returned exactly as stored; clients must never render them as HTML.
 */
import { z } from "zod";
import { threadSubject } from "../db/schema/negotiation.ts";
import { orgRef, timestamp } from "./common.ts";

export const threadSubjectType = z.enum(threadSubject.enumValues).meta({ id: "ThreadSubjectType" });

export const messageAttachment = z
  .object({
    id: z.uuid(),
    filename: z.string(),
    contentType: z.string(),
    sizeBytes: z.number().int(),
  })
  .meta({ id: "MessageAttachment", description: "A file of the sender's organisation" });

export const message = z
  .object({
    id: z.uuid(),
    threadId: z.uuid(),
    sender: z.object({
      org: orgRef,
      userId: z.uuid().nullable().meta({ description: "Null for a message sent with an API key" }),
      userName: z.string().nullable(),
    }),
    body: z.string().nullable().meta({ description: "Plain text (null when hidden by moderation)" }),
    hidden: z.boolean().meta({ description: "Hidden by a platform admin: body and attachments withheld" }),
    attachments: z.array(messageAttachment),
    createdAt: timestamp,
  })
  .meta({ id: "Message", description: "One message; its body is plain text, never HTML" });
export type Message = z.infer<typeof message>;

export const threadSubjectRef = z
  .object({
    type: threadSubjectType,
    id: z.uuid(),
    title: z
      .string()
      .nullable()
      .meta({ description: "The listing's or RFQ's title, or the order's reference" }),
  })
  .meta({ id: "ThreadSubject" });

export const messageThread = z
  .object({
    id: z.uuid(),
    subject: threadSubjectRef,
    buyer: orgRef,
    seller: orgRef,
    /** The organisation on the other side from the acting one. */
    otherParty: orgRef,
    messageCount: z.number().int(),
    lastMessageAt: timestamp.nullable(),
    unreadCount: z
      .number()
      .int()
      .nullable()
      .meta({ description: "Messages the calling member has not read (null for API keys: no read state)" }),
    lastMessage: z
      .object({
        id: z.uuid(),
        senderOrgId: z.uuid(),
        preview: z.string().nullable().meta({ description: "The first 140 characters (null when hidden)" }),
        hidden: z.boolean(),
        createdAt: timestamp,
      })
      .nullable(),
    createdAt: timestamp,
  })
  .meta({ id: "MessageThread" });
export type MessageThread = z.infer<typeof messageThread>;

export const threadPage = z
  .object({ items: z.array(messageThread), nextCursor: z.string().nullable() })
  .meta({ id: "ThreadPage", description: "Most recently active first" });

export const messagePage = z
  .object({ thread: messageThread, items: z.array(message), nextCursor: z.string().nullable() })
  .meta({ id: "MessagePage", description: "The thread and a page of its messages, newest first" });

export const postedMessage = z
  .object({ thread: messageThread, message })
  .meta({ id: "PostedMessage", description: "The message as stored, and its thread after it" });
export type PostedMessage = z.infer<typeof postedMessage>;

export const moderatedMessage = z
  .object({
    id: z.uuid(),
    threadId: z.uuid(),
    hidden: z.literal(true),
    hiddenAt: timestamp,
    hiddenReason: z.string().nullable(),
  })
  .meta({ id: "ModeratedMessage" });
export type ModeratedMessage = z.infer<typeof moderatedMessage>;

export const attachmentUrl = z.object({ url: z.string(), expiresAt: timestamp }).meta({
  id: "AttachmentUrl",
  description: "A 5-minute presigned GET for an attachment (of a message or an RFQ)",
});
export type AttachmentUrl = z.infer<typeof attachmentUrl>;
