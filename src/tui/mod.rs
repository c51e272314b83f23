//! The operator console: `bellows run PLAN` on a terminal.
//!
//! [`app::App`] is the whole screen state; keys become [`action::Action`]s
//! ([`action::key_to_action`]), and [`app::App::update`] changes the state and returns
//! [`action::Effect`]s (start a run, send the executor a command) for the event loop to
//! carry out. [`ui::draw`] takes `&App` and has no side effects. The executor runs in a
//! task and reports through its event channel; the loop in [`terminal`] only drains
//! channels, so a draw or a key never waits on the database.

pub mod action;
pub mod app;
pub mod events;
pub mod keys;
pub mod state;
pub mod style;
pub mod terminal;
pub mod ui;

pub use terminal::{run_console, run_console_with_load};
