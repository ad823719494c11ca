"""Safe readers of weight and archive files: one per format, used by every entry point."""
