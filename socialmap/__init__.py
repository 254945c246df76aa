"""SocialMap: map anchor institutions, young people's networks and services,
measure bridging ties, and see what a commissioning change would damage."""

__version__ = "0.1.0"
