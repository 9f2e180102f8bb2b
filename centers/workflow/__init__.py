"""The workflow kernel (issue 11): one versioned lock, one timeline, declared
transitions applied by one service and confirmed through one view. The concept,
plan, report and qualification-exception workflows declare themselves in their
apps' ``workflows`` modules."""
