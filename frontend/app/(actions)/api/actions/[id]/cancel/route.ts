// POST /api/actions/{id}/cancel on the frontend's origin. The bearer token stays on this server.

import { cancelProposal } from "@/lib/api/client";
import { errorResponse, forwardedFor, isProposalId, relay } from "@/lib/api/relay";

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  if (!isProposalId(id)) return errorResponse(400, "bad_request", "the proposal id must be a UUID");
  return relay(await cancelProposal(id, { signal: request.signal, forwardedFor: forwardedFor(request) }), "actions");
}
