# moonraker-obico
VERSION = '1.7.2'
