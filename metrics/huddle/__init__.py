"""What staff record at the huddle (ratings, actions), its configuration, and the Safety Barometer rule."""
