"""Photos through Pillow: plan, pixels, HTML."""
