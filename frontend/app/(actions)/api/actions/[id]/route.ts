// GET and PATCH /api/actions/{id} on the frontend's origin: one proposal with its audit, and editing a waiting
// proposal's draft (subject, body). The bearer token stays on this server (lib/api/relay.ts).

import { editProposal, getProposal } from "@/lib/api/client";
import { errorResponse, forwardedFor, isProposalId, relay } from "@/lib/api/relay";
import { Edit } from "@/lib/api/schemas";

interface Context {
  params: Promise<{ id: string }>;
}

/** Longest subject and body the UI sends (the API checks its own limits too). */
const MAX_SUBJECT = 500;
const MAX_BODY = 20_000;

export async function GET(request: Request, { params }: Context): Promise<Response> {
  const { id } = await params;
  if (!isProposalId(id)) return errorResponse(400, "bad_request", "the proposal id must be a UUID");
  return relay(await getProposal(id, { signal: request.signal, forwardedFor: forwardedFor(request) }), "actions");
}

export async function PATCH(request: Request, { params }: Context): Promise<Response> {
  const { id } = await params;
  if (!isProposalId(id)) return errorResponse(400, "bad_request", "the proposal id must be a UUID");
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return errorResponse(400, "bad_request", "the body must be JSON");
  }
  const parsed = Edit.safeParse(body);
  if (!parsed.success) return errorResponse(400, "bad_request", "expected {subject?, body?, call_starts_at?}");
  const edit = parsed.data;
  if ((edit.subject?.length ?? 0) > MAX_SUBJECT) return errorResponse(400, "bad_request", `the subject is longer than ${MAX_SUBJECT} characters`);
  if ((edit.body?.length ?? 0) > MAX_BODY) return errorResponse(400, "bad_request", `the body is longer than ${MAX_BODY} characters`);
  return relay(await editProposal(id, edit, { signal: request.signal, forwardedFor: forwardedFor(request) }), "actions");
}
