import sys
from pathlib import Path

# The tests import the functions as `api`, from the folder above this one.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
