/**
 * The reviewed role matrix (operation, the roles that may call it, the API-key scope that may): generated
 * from services/identity/permissions.ts × the OpenAPI routes and compared in test/permissions.test.ts, so
 * a change to who may do what fails the suite until this file is updated with it, deliberately.
 * Roles, in order: owner, admin, buyer, seller, viewer, approver.
 */
export const reviewedMatrix = `acceptQuote              owner admin buyer - - -                    key:orders:write
archiveListing           owner admin - seller - -                   key:listings:write
checkout                 owner admin buyer - - -                    key:orders:write
completeNegotiationUpload owner admin buyer seller - -               key:orders:write
completeUpload           owner admin - seller - -                   key:listings:write
counterQuote             owner admin buyer - - -                    key:orders:write
createApiKey             owner admin - - - -                        key:-
createInvitation         owner admin - - - -                        key:-
createListing            owner admin - seller - -                   key:listings:write
createNegotiationUpload  owner admin buyer seller - -               key:orders:write
createQuote              owner admin - seller - -                   key:orders:write
createRfq                owner admin buyer - - -                    key:orders:write
createUpload             owner admin - seller - -                   key:listings:write
createWebhook            owner admin - - - -                        key:-
decideGroup              owner admin - - - approver                 key:-
declineQuote             owner admin buyer - - -                    key:orders:write
deleteWebhook            owner admin - - - -                        key:-
documentUrl              owner admin buyer seller viewer approver   key:listings:read
getApiKeySpendingLimits  owner admin - - - -                        key:-
getCart                  owner admin buyer - - approver             key:orders:read
getGroup                 owner admin buyer seller viewer approver   key:orders:read
getMemberSpendingLimits  owner admin - - - -                        key:-
getOrder                 owner admin buyer seller viewer approver   key:orders:read
getOrg                   owner admin buyer seller viewer approver   key:org:read
getOwnListing            owner admin - seller viewer -              key:listings:read
getQuote                 owner admin buyer seller viewer approver   key:orders:read
getReview                owner admin buyer seller viewer approver   key:orders:read
getRfq                   owner admin buyer seller viewer approver   key:orders:read
getWebhook               owner admin - - - -                        key:-
getWebhookDelivery       owner admin - - - -                        key:-
listApiKeys              owner admin - - - -                        key:-
listInvitations          owner admin - - - -                        key:-
listInvoices             owner admin buyer seller viewer approver   key:orders:read
listListings             owner admin - seller viewer -              key:listings:read
listMembers              owner admin buyer seller viewer approver   key:members:read
listMessages             owner admin buyer seller viewer approver   key:orders:read
listOrders               owner admin buyer seller viewer approver   key:orders:read
listQuotes               owner admin buyer seller viewer approver   key:orders:read
listRfqs                 owner admin buyer seller viewer approver   key:orders:read
listThreads              owner admin buyer seller viewer approver   key:orders:read
listWebhookDeliveries    owner admin - - - -                        key:-
listWebhooks             owner admin - - - -                        key:-
markInvoicePaid          owner admin - seller - -                   key:orders:write
markThreadRead           owner admin buyer seller viewer approver   key:orders:read
messageAttachmentUrl     owner admin buyer seller viewer approver   key:orders:read
pingWebhook              owner admin - - - -                        key:-
postMessage              owner admin buyer seller - -               key:orders:write
putReview                owner admin buyer - - -                    key:orders:write
redeliverWebhook         owner admin - - - -                        key:-
removeCartLine           owner admin buyer - - -                    key:orders:write
removeMember             owner admin - - - -                        key:-
replyToReview            owner admin - seller - -                   key:orders:write
reviseQuote              owner admin - seller - -                   key:orders:write
revokeApiKey             owner admin - - - -                        key:-
revokeInvitation         owner admin - - - -                        key:-
rfqAttachmentUrl         owner admin buyer seller viewer approver   key:orders:read
rotateWebhookSecret      owner admin - - - -                        key:-
setApiKeySpendingLimits  owner - - - - -                            key:-
setCartLine              owner admin buyer - - -                    key:orders:write
setMemberSpendingLimits  owner admin - - - -                        key:-
startThread              owner admin buyer seller - -               key:orders:write
submitListing            owner admin - seller - -                   key:listings:write
transitionOrder          owner admin - seller - -                   key:orders:write
transitionRfq            owner admin buyer - - -                    key:orders:write
updateListing            owner admin - seller - -                   key:listings:write
updateMember             owner admin - - - -                        key:-
updateOrg                owner admin - - - -                        key:org:write
updateWebhook            owner admin - - - -                        key:-
withdrawQuote            owner admin - seller - -                   key:orders:write
`;
