import { createRouter } from "../../http/router.ts";
import * as handlers from "./media.handlers.ts";
import * as routes from "./media.routes.ts";

export const mediaRouter = createRouter()
  .openapi(routes.createUpload, handlers.createUploadHandler)
  .openapi(routes.completeUpload, handlers.completeUploadHandler)
  .openapi(routes.documentUrl, handlers.documentUrlHandler)
  .openapi(routes.getFile, handlers.getFileHandler);
