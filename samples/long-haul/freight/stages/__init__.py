"""The billing stages; freight.runner imports them in order."""
