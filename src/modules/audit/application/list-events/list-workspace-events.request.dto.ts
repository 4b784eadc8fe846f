import { OmitType } from '@nestjs/swagger';
import { ListEventsRequestDto } from './list-events.request.dto';

/** The admin list's query without `workspaceId`: the path names the workspace (sending it is a 400). */
export class ListWorkspaceEventsRequestDto extends OmitType(ListEventsRequestDto, ['workspaceId'] as const) {}
