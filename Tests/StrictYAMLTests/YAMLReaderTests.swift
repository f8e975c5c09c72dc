import StrictYAML
import Testing
