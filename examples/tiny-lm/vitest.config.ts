import { nodeLaneConfig } from '@prep/test-utils/vitest';

export default nodeLaneConfig();
