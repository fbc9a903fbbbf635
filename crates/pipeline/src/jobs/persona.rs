//! `mindy persona`: writes the demo persona's mailbox (mbox) and calendar (.ics) to files, for
//! `mindy ingest mbox`, a mail client, or the calendar jobs.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use chrono::Utc;
use clap::Args;

use crate::persona::{self, PersonaArgs};
use crate::{Error, Result};

/// Settings of `mindy persona`.
#[derive(Debug, Clone, Args)]
pub struct PersonaFilesConfig {
    /// What to generate.
    #[command(flatten)]
    pub persona: PersonaArgs,
    /// Write the mailbox here as an mbox file.
    #[arg(long)]
    pub mbox: Option<PathBuf>,
    /// Write the calendar here as an .ics file.
    #[arg(long)]
    pub ics: Option<PathBuf>,
}

/// Writes the requested files; returns a line per file written.
pub fn run(config: &PersonaFilesConfig) -> Result<Vec<String>> {
    if config.mbox.is_none() && config.ics.is_none() {
        return Err(Error::invalid(
            "nothing to write: pass --mbox FILE and/or --ics FILE",
        ));
    }
    let opts = config.persona.options(Utc::now());
    let mut written = Vec::new();
    if let Some(path) = &config.mbox {
        let emails = persona::mailbox(&opts);
        let mut out = BufWriter::new(File::create(path).map_err(|e| Error::io(path, e))?);
        persona::write_mbox(&emails, &mut out)
            .and_then(|_| std::io::Write::flush(&mut out))
            .map_err(|e| Error::io(path, e))?;
        written.push(format!(
            "{}: {} messages, {} days ending {}",
            path.display(),
            emails.len(),
            opts.days,
            opts.until
        ));
    }
    if let Some(path) = &config.ics {
        let events = persona::calendar::events(&opts);
        std::fs::write(path, persona::calendar::to_ics(&opts, &events))
            .map_err(|e| Error::io(path, e))?;
        written.push(format!("{}: {} events", path.display(), events.len()));
    }
    Ok(written)
}
