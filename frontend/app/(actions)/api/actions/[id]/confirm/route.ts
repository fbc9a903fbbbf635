// POST /api/actions/{id}/confirm on the frontend's origin: executes a proposal once (the API makes a repeat a
// no-op that returns the first outcome). The bearer token stays on this server.

import { confirmProposal } from "@/lib/api/client";
import { errorResponse, forwardedFor, isProposalId, relay } from "@/lib/api/relay";

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  if (!isProposalId(id)) return errorResponse(400, "bad_request", "the proposal id must be a UUID");
  // Not tied to the browser's request: once sent, a confirmation runs to its end even if the tab closes.
  return relay(await confirmProposal(id, { forwardedFor: forwardedFor(request) }), "actions");
}
