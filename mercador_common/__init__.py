"""What the Keystone extension and the Horizon plugin share.

Only SQLAlchemy: a Horizon node installs neither Keystone nor the
extension.
"""
