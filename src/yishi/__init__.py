"""yishi (议事): deliberation and voting for neighbourhood councils."""
import os

# Piccolo finds its engine through this module path; set it before any table is touched.
os.environ.setdefault("PICCOLO_CONF", "yishi.piccolo_conf")
