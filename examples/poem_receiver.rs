//! Placeholder: the poem receiver follows in the next commit.
fn main() {}
