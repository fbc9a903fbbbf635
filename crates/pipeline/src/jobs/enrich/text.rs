//! What the plans read in an email's text, as Spark SQL expressions over columns and the regular
//! expressions they use. The expressions run on the executors (`regexp_replace`, `split`,
//! higher-order functions over the sentences); the patterns travel as named SQL parameters
//! ([`params`]), so they are written once, here, without SQL string escaping. They are Java
//! regular expressions (Spark's dialect); the tests below compile the ones Rust's `regex` can
//! read too, and the integration tests run all of them on Spark.
//!
//! - [`clean_body`]: the body without quoted history, forwarded parts, signature, sign-off and
//!   greeting: what the email itself says.
//! - [`sentences`]: the clean body split into sentences (and list items).
//! - [`signature`]: the sender's title and organisation from the line under their name.
//! - [`summary`]: the two most informative sentences, in text order.

use spark_client::types::IntoLiteral;

/// Everything from the first line that starts quoted history, a forwarded message or a
/// signature block (`-- `), or a mobile footer, to the end.
pub const RE_CUT: &str = r"(?s)\n(?:-- ?\n|_{5,}|-{2,} ?(?:Original|Forwarded) [Mm]essage ?-{2,}|On [^\n]{0,200}wrote:|From: [^\n]+\n(?:Sent|Date): |Sent from my ).*";
/// Quoted lines (`> ...`).
pub const RE_QUOTED: &str = r"(?m)^>[^\n]*\n?";
/// A sign-off line ("Best regards,", "Thanks!") and at most four short lines after it (name,
/// title, company), at the end of the text.
pub const RE_SIGN_OFF: &str = r"(?i)\n[ \t]*(?:best regards|kind regards|warm regards|warmest regards|regards|best wishes|best|all the best|thanks(?: again| so much| a lot)?|thank you(?: so much)?|many thanks|cheers|sincerely|yours(?: truly| sincerely)?|talk soon|speak soon|take care|br)[ \t]*[,.!]*[ \t]*(?:\n[^\n]*){0,4}\s*$";
/// A last line holding only a name ("Tom", "Ben Foster") after a blank line: a bare signature.
pub const RE_NAME_LINE: &str =
    r"\n[ \t]*\n[ \t]*\p{Lu}[\p{L}'.-]*(?:[ \t]+\p{Lu}[\p{L}'.-]*){0,2}[ \t]*\s*$";
/// A greeting line at the start ("Hi Sarah,", "Good morning all", "Sarah,").
pub const RE_GREETING: &str = r"^\s*(?:(?i:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings)\b[^\n]{0,60}|\p{Lu}\p{L}+,)[ \t]*\n";
/// Where sentences end: after `.`, `!` or `?` and space, or at a line break.
pub const RE_SENTENCE_END: &str = r"(?<=[.!?])\s+|\n+";
/// A list bullet or number at the start of a sentence.
pub const RE_BULLET: &str = r"^(?:[-*\u2022]|\d{1,2}[.)])\s+";
/// Reply and forward prefixes of a subject.
pub const RE_SUBJECT_PREFIX: &str = r"^(?i)(?:(?:re|fwd?|aw|wg|sv)\s*:\s*)+";

/// Words that make an email urgent (matched case-insensitively as whole words).
pub const RE_URGENCY: &str = r"(?i)\b(?:urgent(?:ly)?|asap|as soon as possible|immediate(?:ly)?|emergency|critical|right away|time[- ]sensitive|top priority|high priority|p1|sev ?1|outage|production (?:issue|incident|outage)|system (?:is )?down|blocker)\b";
/// Words of an escalation: chasing, unanswered, threats to leave, escalation itself.
pub const RE_ESCALATION: &str = r"(?i)\b(?:escalat(?:e|ed|es|ing|ion)|still (?:no|not|waiting|broken|failing)|no (?:response|reply|update|answer)|not been (?:answered|addressed|resolved)|unanswered|unacceptable|alternatives|other (?:vendors|providers|options)|cancel (?:our|the) (?:contract|subscription)|terminat\w* (?:our|the) (?:contract|agreement)|legal action|executive review|(?:second|third|fourth) time)\b";
/// A request: something the writer asks the reader to do.
pub const RE_REQUEST: &str = r"(?i)(?:\b(?:please|pls|kindly)\b|\b(?:could|can|would|will) you\b|\b(?:i|we)(?:'d| would)? (?:need|require|request)\b|\bneeds? (?:your|you to)\b|\b(?:let me know|get back to (?:me|us)|send (?:me|us|over)|waiting (?:for|on) your|awaiting your|make sure)\b|\b(?:approval|sign-?off|decision|review|confirmation|input|feedback)s? (?:is |are )?(?:needed|required|requested)\b|\b(?:due|deadline)\b|^(?:review|approve|confirm|send|share|sign|complete|submit|schedule|call|update|check)\b)";
/// Wording of a deadline.
pub const RE_DEADLINE: &str = r"(?i)\b(?:by|before|until|due|deadline|no later than|eod|cob|end of (?:the )?(?:day|week|month))\b";

/// The named parameters the expressions of this module use, for `SqlBuilder::arg`.
pub fn params() -> Vec<(&'static str, spark_client::types::Literal)> {
    [
        ("re_cut", RE_CUT),
        ("re_quoted", RE_QUOTED),
        ("re_sign_off", RE_SIGN_OFF),
        ("re_name_line", RE_NAME_LINE),
        ("re_greeting", RE_GREETING),
        ("re_sentence_end", RE_SENTENCE_END),
        ("re_bullet", RE_BULLET),
        ("re_subject_prefix", RE_SUBJECT_PREFIX),
        ("re_urgency", RE_URGENCY),
        ("re_escalation", RE_ESCALATION),
        ("re_request", RE_REQUEST),
        ("re_deadline", RE_DEADLINE),
    ]
    .into_iter()
    .map(|(name, pattern)| (name, pattern.into_literal()))
    .collect()
}

/// The body without quoted history, forwarded parts, signature, sign-off and greeting.
pub fn clean_body(body: &str) -> String {
    let normalised = format!("concat('\\n', replace({body}, '\\r\\n', '\\n'))");
    let cut = format!("regexp_replace({normalised}, :re_cut, '')");
    let unquoted = format!("regexp_replace({cut}, :re_quoted, '')");
    let signed_off = format!("regexp_replace({unquoted}, :re_sign_off, '')");
    let unnamed = format!("regexp_replace({signed_off}, :re_name_line, '')");
    format!("trim(regexp_replace(trim({unnamed}), :re_greeting, ''))")
}

/// The subject without `Re:`/`Fwd:` prefixes.
pub fn clean_subject(subject: &str) -> String {
    format!("trim(regexp_replace({subject}, :re_subject_prefix, ''))")
}

/// `clean` split into trimmed sentences without list bullets, empty ones dropped.
pub fn sentences(clean: &str) -> String {
    format!(
        "filter(transform(split({clean}, :re_sentence_end), x -> trim(regexp_replace(trim(x), :re_bullet, ''))), x -> length(x) > 1)"
    )
}

/// The line under the sender's name at the end of the body ("CTO, Acme Corp"), when there is a
/// plausible one: short, no sentence punctuation at its end, no address or link.
pub fn signature_line(body: &str, name: &str) -> String {
    let marker = format!("concat('\\n', {name}, '\\n')");
    let line = format!(
        "trim(substring_index(substring_index(replace({body}, '\\r\\n', '\\n'), {marker}, -1), '\\n', 1))"
    );
    format!(
        "CASE WHEN length({name}) > 2 AND instr(replace({body}, '\\r\\n', '\\n'), {marker}) > 0 \
         AND length({line}) BETWEEN 2 AND 100 AND NOT {line} rlike '[.!?:]$|@|https?:' \
         THEN {line} END"
    )
}

/// The title of a signature line: before the last `,` or `|`, or before ` at `, else the line.
pub fn signature_title(line: &str) -> String {
    format!(
        "CASE WHEN {line} rlike '^.+?\\\\s*[,|]\\\\s*[^,|]+$' THEN trim(regexp_extract({line}, '^(.+)\\\\s*[,|]\\\\s*[^,|]+$', 1)) \
         WHEN {line} rlike '^.+?\\\\s+at\\\\s+.+$' THEN trim(regexp_extract({line}, '^(.+?)\\\\s+at\\\\s+.+$', 1)) \
         ELSE {line} END"
    )
}

/// The organisation of a signature line: after the last `,` or `|`, or after ` at `.
pub fn signature_org(line: &str) -> String {
    format!(
        "CASE WHEN {line} rlike '^.+?\\\\s*[,|]\\\\s*[^,|]+$' THEN trim(regexp_extract({line}, '[,|]\\\\s*([^,|]+)$', 1)) \
         WHEN {line} rlike '^.+?\\\\s+at\\\\s+.+$' THEN trim(regexp_extract({line}, '\\\\s+at\\\\s+(.+)$', 1)) END"
    )
}

/// An extractive summary of `sentences`: each scored for urgency words (3), a deadline (2), a
/// request (2), a question (1.5), being first (1.5) or second (0.5), holding a figure (0.5), and
/// shortness (-2 under 25 characters); the best two, in text order, at most 300 characters.
/// `fallback` when there is no sentence.
pub fn summary(sentences: &str, fallback: &str) -> String {
    let scored = format!(
        "transform({sentences}, (x, i) -> named_struct('i', i, 'x', x, 'score', \
           (CASE WHEN x rlike :re_urgency THEN 3.0 ELSE 0.0 END) \
         + (CASE WHEN x rlike :re_deadline THEN 2.0 ELSE 0.0 END) \
         + (CASE WHEN x rlike :re_request THEN 2.0 ELSE 0.0 END) \
         + (CASE WHEN x LIKE '%?' THEN 1.5 ELSE 0.0 END) \
         + (CASE WHEN i = 0 THEN 1.5 WHEN i = 1 THEN 0.5 ELSE 0.0 END) \
         + (CASE WHEN x rlike '[0-9]' THEN 0.5 ELSE 0.0 END) \
         - (CASE WHEN length(x) < 25 THEN 2.0 ELSE 0.0 END)))"
    );
    let best = format!(
        "slice(array_sort({scored}, (a, b) -> CASE WHEN a.score > b.score THEN -1 WHEN a.score < b.score THEN 1 ELSE a.i - b.i END), 1, 2)"
    );
    let joined =
        format!("array_join(transform(array_sort({best}, (a, b) -> a.i - b.i), s -> s.x), ' ')");
    format!(
        "CASE WHEN size({sentences}) = 0 THEN {fallback} \
         WHEN length({joined}) > 300 THEN concat(substring({joined}, 1, 297), '...') \
         ELSE {joined} END"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The patterns Rust's regex crate reads alike (no look-behind, no `\p{..}` in a class
    /// union it lacks), checked on the cases the plans depend on.
    #[test]
    fn the_patterns_match_what_they_are_for() {
        let re = |p: &str| regex::Regex::new(p).unwrap();
        let cut = re(RE_CUT);
        let reply =
            "\nThanks, will do.\n\nOn Tue, Oct 7, 2025 at 10:47 PM Tom <t@a.example> wrote:\n> old";
        assert_eq!(cut.replace(reply, ""), "\nThanks, will do.\n");
        let sign_off = re(RE_SIGN_OFF);
        let body = "\nWe need the plan by Friday.\n\nBest regards,\nTom Anderson\nCTO, Acme Corp\n";
        assert_eq!(
            sign_off.replace(body, ""),
            "\nWe need the plan by Friday.\n"
        );
        let thanks = "\nThanks for the update. It helps.";
        assert_eq!(
            sign_off.replace(thanks, ""),
            thanks,
            "a thank-you sentence is content, not a sign-off"
        );
        let name = re(RE_NAME_LINE);
        assert_eq!(name.replace("\nCall me.\n\nTom", ""), "\nCall me.");
        let urgency = re(RE_URGENCY);
        assert!(urgency.is_match("Production Issue - Need Immediate Support"));
        assert!(!urgency.is_match("criticality matrix"));
        let escalation = re(RE_ESCALATION);
        assert!(escalation.is_match("Still no update on the production issue"));
        assert!(escalation.is_match("start evaluating alternatives"));
        let request = re(RE_REQUEST);
        assert!(request.is_match("Could you propose times this week?"));
        assert!(request.is_match("I need a status update and a call this morning."));
        assert!(!request.is_match("Great results this quarter."));
        assert!(re(RE_DEADLINE).is_match("review needed by 5 PM today"));
        assert_eq!(
            re(RE_SUBJECT_PREFIX).replace("Re: RE: Fwd: Pricing", ""),
            "Pricing"
        );
    }

    #[test]
    fn every_pattern_is_bound_as_a_parameter() {
        let names: Vec<&str> = params().iter().map(|(n, _)| *n).collect();
        for expr in [
            clean_body("b"),
            sentences("c"),
            summary("s", "f"),
            clean_subject("s"),
        ] {
            for used in expr.split(':').skip(1) {
                let name: String = used
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                assert!(names.contains(&name.as_str()), "unbound :{name}");
            }
        }
    }
}
