//! The headless printer: executor events as readable lines, or one JSON object per line.

use std::time::{Duration, Instant};

use crate::executor::Event;

/// How events are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Readable lines.
    Text,
    /// JSON lines.
    Json,
}

/// Prints events; throttles progress lines in text mode.
pub struct Printer {
    style: Style,
    last_progress: Option<Instant>,
}

impl Printer {
    /// A printer in `style`.
    pub fn new(style: Style) -> Self {
        Self {
            style,
            last_progress: None,
        }
    }

    /// One event, as a line (None when throttled).
    pub fn line(&mut self, e: &Event) -> Option<String> {
        if self.style == Style::Json {
            return serde_json::to_string(e).ok();
        }
        if matches!(e, Event::BatchProgress { .. }) {
            let now = Instant::now();
            if self
                .last_progress
                .is_some_and(|t| now.duration_since(t) < Duration::from_secs(1))
            {
                return None;
            }
            self.last_progress = Some(now);
        }
        // Step summaries and errors carry identifiers, which may hold control characters.
        Some(crate::plan::escape::block(&e.describe()).into_owned())
    }
}
