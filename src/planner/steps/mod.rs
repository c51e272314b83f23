//! Step fragments several recipes share: a batched backfill and its verification
//! ([`backfill`]), the NOT NULL tail ([`not_null`]), the fill trigger
//! that keeps old code working through it ([`fill`]), a concurrent index build ([`index`]) and its partitioned form ([`partitioned_index`]),
//! CHECK and FOREIGN KEY adds ([`constraint`]), data fix-ups before they hold ([`fixup`]), the gate before data loss ([`gate`]), and the shadow-column engine behind renames
//! and type changes ([`shadow`]). They use the kit and sqlgen, and never a recipe.

pub mod backfill;
pub mod constraint;
pub mod fill;
pub mod fixup;
pub mod gate;
pub mod index;
pub mod not_null;
pub mod partitioned_index;
pub mod shadow;
