"""The Mercador proxy: bound regions used with aggregator tokens."""
