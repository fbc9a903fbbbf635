import type { Proposal, StreamResult } from "@/lib/api/schemas";
import { readBriefing } from "@/lib/chat/scenes/briefing";
import { readClients } from "@/lib/chat/scenes/clients";
import { readDay } from "@/lib/chat/scenes/day";
import { readEmails } from "@/lib/chat/scenes/emails";
import { readPatterns } from "@/lib/chat/scenes/patterns";

import { ActionAnswer } from "./action-answer";
import { BriefingAnswer } from "./briefing-answer";
import { ClientsAnswer } from "./clients-answer";
import { DayAnswer } from "./day-answer";
import { EmailList } from "./email-list";
import { PatternsAnswer } from "./patterns-answer";
import { QuerySources } from "./query-sources";
import { StatAnswer } from "./stat-answer";

interface AnswerBodyProps {
  result: StreamResult;
  /** An action answer's proposal changed (edited, confirmed, cancelled through its buttons). */
  onProposal?: (proposal: Proposal) => void;
  /** A later answer of the conversation carries the same proposal. */
  superseded?: boolean;
}

/** What an answer's rows show, drawn as what the answer is, then every query it ran. */
export function AnswerBody({ result, onProposal, superseded }: AnswerBodyProps) {
  const { columns, rows, sections } = result;
  if (result.kind === "stat") return <StatAnswer result={result} />;
  // An action turn runs no query: its proposal is the whole answer (none when nothing could be drafted).
  if (result.kind === "action") {
    return result.proposal ? <ActionAnswer proposal={result.proposal} onChange={onProposal} superseded={superseded} /> : null;
  }
  return (
    <>
      {result.kind === "emails" && <EmailList view={readEmails(columns, rows)} />}
      {result.kind === "briefing" && <BriefingAnswer briefing={readBriefing(columns, rows, sections)} />}
      {result.kind === "day" && <DayAnswer view={readDay(columns, rows, sections)} />}
      {result.kind === "patterns" && <PatternsAnswer patterns={readPatterns(columns, rows, sections)} />}
      {result.kind === "clients" && <ClientsAnswer view={readClients(columns, rows, sections)} />}
      <QuerySources result={result} />
    </>
  );
}
