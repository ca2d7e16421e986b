import Headroom
