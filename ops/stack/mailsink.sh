# shellcheck shell=bash
# A local SMTP server for the daily report email: aiosmtpd (a real SMTP server, from PyPI, in the
# Airflow venv) delivering every message into a Maildir under .stack/data/mail — the stand-in for
# a mail relay, which the local stack cannot reach.

mailsink_up() {
  airflow_install
  if is_running mailsink; then ok "mailsink already running"; return 0; fi
  require_free_port mailsink "$SMTP_PORT"
  # A Maildir: aiosmtpd writes into tmp/ and moves each message to new/.
  mkdir -p "$STACK_DATA/mail/tmp" "$STACK_DATA/mail/new" "$STACK_DATA/mail/cur"
  PYTHONUNBUFFERED=1 supervise mailsink "$STACK_DATA/mail" "PYTHONUNBUFFERED" "$AIRFLOW_VENV/bin/python" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" \
    -c aiosmtpd.handlers.Mailbox "$STACK_DATA/mail"
  wait_until mailsink 30 port_open "$SMTP_PORT"
  ok "mailsink ready on 127.0.0.1:$SMTP_PORT (Maildir $STACK_DATA/mail)"
}

mailsink_down() { stop mailsink; }
